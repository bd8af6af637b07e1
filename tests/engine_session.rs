//! The engine through its handle, as the window will use it: connect, list, stat, mkdir,
//! rename, remove, local listings, a wrong password, and requests on unknown sessions.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{PASSWORD, TestServer};
use skiff::engine::EngineHandle;
use skiff::model::entry::EntryKind;
use skiff::model::path::RemotePath;
use skiff::model::site::{FtpUrl, Password};
use skiff::protocol::{Command, ErrorKind, Event, RequestId, SessionId};
use tokio::sync::mpsc::UnboundedReceiver;

struct Harness {
    rt: tokio::runtime::Runtime,
    engine: EngineHandle,
    events: UnboundedReceiver<Event>,
    wakes: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Harness {
    fn new() -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let wakes = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = std::sync::Arc::clone(&wakes);
        let on_event = std::sync::Arc::new(move || {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        });
        let (engine, events) = EngineHandle::spawn(rt.handle(), on_event);
        Self {
            rt,
            engine,
            events,
            wakes,
        }
    }

    /// Sends a command and returns the answer to it (skipping log lines).
    fn call(&mut self, make: impl FnOnce(RequestId) -> Command) -> Event {
        let request = self.engine.next_request();
        self.rt.block_on(self.engine.send(make(request))).unwrap();
        self.rt.block_on(async {
            loop {
                let event = tokio::time::timeout(Duration::from_secs(20), self.events.recv())
                    .await
                    .unwrap()
                    .unwrap();
                match &event {
                    Event::Connected { request: r, .. }
                    | Event::Listing { request: r, .. }
                    | Event::LocalListing { request: r, .. }
                    | Event::Stat { request: r, .. }
                    | Event::Done { request: r }
                    | Event::Failed { request: r, .. }
                        if *r == request =>
                    {
                        return event;
                    }
                    _ => {}
                }
            }
        })
    }

    fn connect(&mut self, url: &str) -> SessionId {
        let site = FtpUrl::parse(url).unwrap().site;
        match self.call(|request| Command::Connect { request, site }) {
            Event::Connected { session, home, .. } => {
                assert_eq!(home, RemotePath::root());
                session
            }
            other => panic!("{other:?}"),
        }
    }
}

fn names(event: &Event) -> Vec<String> {
    let Event::Listing { entries, .. } = event else {
        panic!("{event:?}")
    };
    let mut names: Vec<String> = entries.iter().map(|e| e.name.clone()).collect();
    names.sort();
    names
}

#[test]
fn browse_operations_change_the_server() {
    let server = TestServer::start();
    std::fs::write(server.file("readme.txt"), b"hello").unwrap();
    let mut h = Harness::new();
    let session = h.connect(&server.url("ftp", "/"));
    assert_eq!(
        names(&h.call(|request| Command::List {
            request,
            session,
            path: RemotePath::root()
        })),
        ["readme.txt"]
    );

    let folder = RemotePath::new("/photos 2026");
    assert!(matches!(
        h.call(|request| Command::Mkdir {
            request,
            session,
            path: folder.clone()
        }),
        Event::Done { .. }
    ));
    let moved = folder.join("readme.txt");
    let from = RemotePath::new("/readme.txt");
    assert!(matches!(
        h.call(|request| Command::Rename {
            request,
            session,
            from,
            to: moved.clone()
        }),
        Event::Done { .. }
    ));
    assert_eq!(
        std::fs::read(server.file("photos 2026/readme.txt")).unwrap(),
        b"hello"
    );

    match h.call(|request| Command::Stat {
        request,
        session,
        path: moved.clone(),
    }) {
        Event::Stat {
            entry: Some(entry), ..
        } => {
            assert_eq!((entry.kind, entry.size), (EntryKind::File, Some(5)));
            assert!(entry.modified.is_some());
        }
        other => panic!("{other:?}"),
    }
    let missing = RemotePath::new("/nope");
    assert!(matches!(
        h.call(|request| Command::Stat {
            request,
            session,
            path: missing
        }),
        Event::Stat { entry: None, .. }
    ));

    // A non-empty folder is not removed without `recursive`, and is with it.
    let refused = h.call(|request| Command::Remove {
        request,
        session,
        path: folder.clone(),
        recursive: false,
    });
    assert!(matches!(refused, Event::Failed { .. }), "{refused:?}");
    assert!(server.file("photos 2026/readme.txt").exists());
    assert!(matches!(
        h.call(|request| Command::Remove {
            request,
            session,
            path: folder.clone(),
            recursive: true
        }),
        Event::Done { .. }
    ));
    assert!(!server.file("photos 2026").exists());
    assert!(
        h.wakes.load(std::sync::atomic::Ordering::SeqCst) > 0,
        "the waker was never called"
    );
}

#[test]
fn local_listing_goes_through_the_engine() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), b"abc").unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let mut h = Harness::new();
    let path = dir.path().to_path_buf();
    match h.call(|request| Command::ListLocal { request, path }) {
        Event::LocalListing { entries, .. } => {
            let mut seen: Vec<(String, EntryKind, Option<u64>)> = entries
                .into_iter()
                .map(|e| (e.name, e.kind, e.size))
                .collect();
            seen.sort_by(|a, b| a.0.cmp(&b.0));
            assert_eq!(
                seen,
                [
                    ("a.txt".to_owned(), EntryKind::File, Some(3)),
                    ("sub".to_owned(), EntryKind::Dir, None)
                ]
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn wrong_password_reports_an_auth_error_with_the_code() {
    let server = TestServer::start();
    let mut h = Harness::new();
    let mut site = FtpUrl::parse(&server.url("ftp", "/")).unwrap().site;
    site.password = Some(Password::new(format!("{PASSWORD}x")));
    match h.call(|request| Command::Connect { request, site }) {
        Event::Failed { error, .. } => {
            assert_eq!(error.kind, ErrorKind::Auth);
            assert_eq!(error.code, Some(530));
            assert!(!error.message.contains(PASSWORD));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unknown_session_is_an_error_not_a_hang() {
    let mut h = Harness::new();
    let session = SessionId(4242);
    match h.call(|request| Command::List {
        request,
        session,
        path: RemotePath::root(),
    }) {
        Event::Failed { error, .. } => assert_eq!(error.kind, ErrorKind::Invalid),
        other => panic!("{other:?}"),
    }
}
