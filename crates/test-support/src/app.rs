//! The real application on an ephemeral port, over its own database.

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use alumni_core::clock::ManualClock;
use alumni_core::db::StatementCounter;
use alumni_core::domain::DemoWorld;
use alumni_core::jobs::Queue;
use alumni_core::secrets::ExposeSecret as _;
use alumni_core::{MemberId, NodeId, Role};
use alumni_gateway::app::{Background, MailSettings};
use alumni_gateway::app::{Domains, Services};
use alumni_gateway::http::TrustedProxies;
use alumni_gateway::{App, AppSettings};
use alumni_membership::{NewAccount, PersonName};
use chrono::{DateTime, Utc};
use ipnet::IpNet;
use tokio::task::JoinHandle;

use crate::client::TestClient;
use crate::proxy::DbProxy;
use alumni_test_db::TestDb;

/// Password of every account the factories create.
pub const TEST_PASSWORD: &str = "correct horse battery staple";

/// Where every test's clock starts: 2026-04-01 09:00 in Tokyo.
pub fn test_start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-04-01T09:00:00+09:00")
        .expect("valid timestamp")
        .to_utc()
}

/// A member created by a factory, already signed in.
#[derive(Debug, Clone)]
pub struct TestMember {
    /// Member id.
    pub id: MemberId,
    /// E-mail address (password is [`TEST_PASSWORD`]).
    pub email: String,
    /// Bearer token of a live session.
    pub token: String,
}

impl TestMember {
    /// The member's global id, as the API shows it.
    pub fn global_id(&self) -> String {
        self.id.to_global().0
    }
}

/// The application under test: the real router on an ephemeral port, its
/// own database (reached through a cuttable proxy) and a manual clock.
pub struct TestApp {
    /// The clock the application reads; move it to expire things.
    pub clock: Arc<ManualClock>,
    /// Every domain's services, for factories and service-level checks.
    pub services: Services,
    domains: Domains,
    base_url: String,
    http: reqwest::Client,
    statements: StatementCounter,
    members_created: AtomicUsize,
    /// Where the application writes mail when no SMTP server is set.
    pub mail_dir: std::path::PathBuf,
    /// The job queue with every domain's handlers: tests run due jobs
    /// with `jobs.drain()` (no workers run unless a test asks for them).
    pub jobs: Queue,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: JoinHandle<()>,
    background: Option<Background>,
    proxy: Option<DbProxy>,
    // Declared last: dropped after the server that uses it; shared with
    // servers started beside this one.
    db: Arc<TestDb>,
}

impl TestApp {
    /// Starts the application with the documented defaults.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// Starts the application with adjusted settings.
    pub async fn spawn_with(adjust: impl FnOnce(&mut AppSettings)) -> TestApp {
        Self::start(adjust, false).await
    }

    /// Starts the application with its database reached through a proxy
    /// the test can cut ([`database_link`](Self::database_link)), for
    /// outage tests.
    pub async fn spawn_with_cuttable_link(adjust: impl FnOnce(&mut AppSettings)) -> TestApp {
        Self::start(adjust, true).await
    }

    /// A second server process, as it were, on this one's database (its
    /// own pool, live connection and loaders), for what must work across
    /// processes.
    pub async fn spawn_beside(&self) -> TestApp {
        Self::start_on(self.db.clone(), |_| {}, false).await
    }

    async fn start(adjust: impl FnOnce(&mut AppSettings), cuttable: bool) -> TestApp {
        Self::start_on(Arc::new(TestDb::create().await), adjust, cuttable).await
    }

    async fn start_on(
        db: Arc<TestDb>,
        adjust: impl FnOnce(&mut AppSettings),
        cuttable: bool,
    ) -> TestApp {
        let mut database_url = url::Url::parse(db.url()).expect("test database URL");
        let proxy = if cuttable {
            let proxy = DbProxy::start(upstream_address(&database_url).await).await;
            database_url
                .set_host(Some("127.0.0.1"))
                .expect("set proxy host");
            database_url
                .set_port(Some(proxy.address().port()))
                .expect("set proxy port");
            Some(proxy)
        } else {
            None
        };

        let mut settings = AppSettings::with_defaults(database_url.as_str());
        // One connection: a request that held a connection while asking
        // for another would deadlock here and fail its test, so the whole
        // suite proves that none does (a deadlock shows as a wait longer
        // than any test's queue of requests, which tests in parallel on two
        // cores can make several seconds). Connecting gives up quickly, so
        // outage tests answer promptly.
        settings.pool.max_connections = 1;
        settings.pool.acquire_timeout = Duration::from_secs(10);
        settings.pool.connect_timeout = Duration::from_secs(2);
        // Tests stand in for clients at other addresses with
        // `X-Forwarded-For`, as a reverse proxy would.
        settings.trusted_proxies = TrustedProxies(vec![IpNet::from(IpAddr::from([127, 0, 0, 1]))]);
        // Ended sessions close sockets without making tests wait.
        settings.sockets.session_check_interval = Duration::from_millis(100);
        // Tests run due jobs themselves, when they choose.
        settings.jobs.workers = 0;
        // Mail is written to a folder of the test's own.
        let mail_dir =
            std::env::temp_dir().join(format!("alumni-test-mail-{}", uuid::Uuid::now_v7()));
        settings.mail = MailSettings::to_folder(&mail_dir);
        adjust(&mut settings);

        let clock = Arc::new(ManualClock::new(test_start()));
        let app = App::build(&settings, clock.clone()).expect("build application");
        let background = app.start_background(settings.jobs);
        // What tests commit from here on reaches live subscribers.
        tokio::time::timeout(Duration::from_secs(30), app.live.listening())
            .await
            .expect("the live connection listens");
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("bind test server");
        let address = listener.local_addr().expect("server address");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(alumni_gateway::server::serve(
            listener,
            app.router,
            app.lifecycle,
            settings.server,
            async move {
                // A dropped sender (the test ended) stops the server too.
                let _ = stopped.await;
            },
        ));
        TestApp {
            clock,
            services: app.services,
            domains: app.domains,
            base_url: format!("http://{address}"),
            http: reqwest::Client::new(),
            statements: app.statements,
            members_created: AtomicUsize::new(0),
            jobs: app.jobs,
            mail_dir: settings.mail.mail_dir.clone(),
            stop: Some(stop),
            server,
            background: Some(background),
            proxy,
            db,
        }
    }

    /// Shuts the server down as SIGTERM does, and waits until it has
    /// stopped.
    pub async fn shut_down(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.server).await.expect("server task");
        if let Some(background) = self.background.take() {
            background.stop().await;
        }
    }

    /// Base URL of the server, e.g. `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// A signed-out client.
    pub fn client(&self) -> TestClient {
        TestClient::new(self.http.clone(), self.base_url.clone(), None)
    }

    /// A client signed in as `member`.
    pub fn client_as(&self, member: &TestMember) -> TestClient {
        self.client().with_token(member.token.clone())
    }

    /// Creates a signed-in member with `roles`.
    pub async fn create_member(&self, roles: &[Role]) -> TestMember {
        let n = self.members_created.fetch_add(1, Ordering::Relaxed);
        let email = format!("member{n}@test.example");
        let record = self
            .services
            .membership
            .create_account(NewAccount {
                email: email.clone(),
                password: TEST_PASSWORD.to_owned(),
                roles: roles.iter().copied().collect(),
                name: Some(PersonName {
                    display_name: format!("会員 {n}"),
                    kana: format!("かいいん {}", kana_number(n)),
                }),
            })
            .await
            .expect("create test member");
        let session = self
            .services
            .membership
            .issue_session(record.id)
            .await
            .expect("issue test session");
        TestMember {
            id: record.id,
            email,
            token: session.token.expose_secret().to_owned(),
        }
    }

    /// SQL statements run by the application so far.
    pub fn statements(&self) -> u64 {
        self.statements.count()
    }

    /// Runs `operation` and returns its output with the number of SQL
    /// statements it caused.
    pub async fn count_statements<T>(&self, operation: impl Future<Output = T>) -> (T, u64) {
        let before = self.statements();
        let output = operation.await;
        (output, self.statements() - before)
    }

    /// The proxy between the application and its database: `cut()` it to
    /// simulate an outage, `restore()` it to end one. Only for apps started
    /// with [`spawn_with_cuttable_link`](Self::spawn_with_cuttable_link).
    pub fn database_link(&self) -> &DbProxy {
        self.proxy
            .as_ref()
            .expect("start the app with TestApp::spawn_with_cuttable_link to cut its link")
    }

    /// Loads every domain's demo data, as `alumni seed --demo` does, and
    /// returns what the domains left for each other (membership's
    /// `DemoMembers`, say).
    pub async fn seed_demo(&self) -> DemoWorld {
        let mut world = DemoWorld::default();
        for domain in self.domains.iter() {
            domain
                .seed_demo(&mut world)
                .await
                .unwrap_or_else(|error| panic!("demo data of {}: {error:?}", domain.name()));
        }
        self.jobs.drain().await.expect("run the demo's jobs");
        self.jobs
            .schedule_recurring()
            .await
            .expect("schedule recurring jobs");
        world
    }

    /// The mail the application wrote to its folder (no SMTP server set),
    /// oldest first.
    pub fn written_mail(&self) -> Vec<crate::ReceivedMail> {
        let Ok(entries) = std::fs::read_dir(&self.mail_dir) else {
            return Vec::new();
        };
        let mut files: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "eml"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|path| crate::ReceivedMail {
                from: String::new(),
                to: Vec::new(),
                data: std::fs::read(path).expect("read mail"),
            })
            .collect()
    }

    /// Runs due jobs and returns the newest verification code mailed to
    /// `address`.
    pub async fn verification_code(&self, address: &str) -> String {
        self.jobs.drain().await.expect("run jobs");
        self.written_mail()
            .iter()
            .rev()
            .find_map(|mail| {
                let parsed = mail.parsed();
                let to = parsed.to()?.first()?.address()?.to_owned();
                if !to.eq_ignore_ascii_case(address) {
                    return None;
                }
                let text = parsed.body_text(0)?;
                let code = text.split("確認コード: ").nth(1)?.get(..6)?.to_owned();
                Some(code)
            })
            .unwrap_or_else(|| panic!("no verification code mailed to {address}"))
    }

    /// How many audit entries with `action` the application has written.
    pub async fn audit_count(&self, action: &str) -> i64 {
        use diesel::dsl::count_star;
        use diesel::{ExpressionMethods as _, QueryDsl as _};
        use diesel_async::RunQueryDsl as _;

        diesel::table! {
            audit.events (id) {
                id -> Uuid,
                action -> Text,
            }
        }
        let mut conn = self.db.connect().await;
        events::table
            .filter(events::action.eq(action))
            .select(count_star())
            .get_result(&mut conn)
            .await
            .expect("count audit entries")
    }

    /// The test's database, for direct checks.
    pub fn database(&self) -> &TestDb {
        &self.db
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// A number spelled digit by digit in hiragana (12 → いちに), so factory
/// names have a valid kana reading and sort by number.
fn kana_number(n: usize) -> String {
    const DIGITS: [&str; 10] = [
        "ぜろ",
        "いち",
        "に",
        "さん",
        "よん",
        "ご",
        "ろく",
        "なな",
        "はち",
        "きゅう",
    ];
    n.to_string()
        .chars()
        .filter_map(|digit| digit.to_digit(10))
        .map(|digit| DIGITS[digit as usize])
        .collect()
}

async fn upstream_address(database_url: &url::Url) -> SocketAddr {
    let host = database_url.host_str().unwrap_or("127.0.0.1");
    let port = database_url.port().unwrap_or(5432);
    tokio::net::lookup_host((host, port))
        .await
        .ok()
        .and_then(|mut addresses| addresses.next())
        .unwrap_or_else(|| panic!("cannot resolve the test database host {host}:{port}"))
}
