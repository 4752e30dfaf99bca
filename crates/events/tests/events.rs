//! The events domain over HTTP (GraphQL, WebSocket, calendar and CSV
//! routes) and at the service level, each test on a database of its own.

mod events {
    pub mod support;

    mod calendar;
    mod check_in;
    mod concurrency;
    mod demo;
    mod export;
    mod leaving;
    mod management;
    mod registration;
    mod statements;
    mod subscription;
    mod visibility;
}
