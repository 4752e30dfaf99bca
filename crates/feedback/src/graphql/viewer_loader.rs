//! DataLoaders of this crate: each carries the service and the request's
//! viewer, so whatever it loads has been through the viewer's rules.

/// Declares a loader `$name` of `$value` by `$key`, whose batch is `$body`
/// over `$service`, `$viewer` and `$keys`.
macro_rules! viewer_loader {
    ($(#[$meta:meta])* $name:ident: $key:ty => $value:ty, |$service:ident, $viewer:ident, $keys:ident| $body:expr) => {
        $(#[$meta])*
        pub struct $name {
            service: $crate::FeedbackService,
            viewer: ::alumni_core::Viewer,
        }

        impl $name {
            /// The loader for one request's viewer.
            pub fn new(service: &$crate::FeedbackService, viewer: &::alumni_core::Viewer) -> Self {
                Self {
                    service: service.clone(),
                    viewer: viewer.clone(),
                }
            }
        }

        impl ::async_graphql::dataloader::Loader<$key> for $name {
            type Value = $value;
            type Error = ::alumni_core::AppError;

            async fn load(
                &self,
                $keys: &[$key],
            ) -> Result<::std::collections::HashMap<$key, $value>, ::alumni_core::AppError> {
                let $service = &self.service;
                let $viewer = &self.viewer;
                $body
            }
        }
    };
}

/// Puts a fresh loader of each of the listed types, bound to `$viewer`,
/// into the request's `$data`.
macro_rules! attach_viewer_loaders {
    ($data:expr, $service:expr, $viewer:expr, $caching:expr; $($loader:ident),+ $(,)?) => {
        $($data.insert(::alumni_core::graphql::request_loader(
            $loader::new($service, $viewer),
            $caching,
        ));)+
    };
}
