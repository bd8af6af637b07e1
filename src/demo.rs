//! `skiff --demo`: a real FTP server (libunftp) on 127.0.0.1, on a free port, serving a sample
//! tree generated in a temporary folder (nested folders, a few hundred files, one 50 MiB file,
//! unicode names), so a new user sees Skiff work with no server at hand.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

/// The running demo server; the sample tree is removed when it is dropped.
pub struct DemoServer {
    port: u16,
    _root: tempfile::TempDir,
}

impl DemoServer {
    /// Makes the sample tree and starts serving it (anonymous login) on `runtime`.
    ///
    /// # Panics
    ///
    /// Never in the caller. A connection's own task stops if the sample folder vanished between
    /// the check before it and its opening.
    pub fn start(runtime: &tokio::runtime::Handle) -> std::io::Result<Self> {
        let root = tempfile::Builder::new().prefix("skiff-demo-").tempdir()?;
        write_sample_tree(root.path())?;
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
        let port = listener.local_addr()?.port();
        let served = root.path().to_path_buf();
        runtime.spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else { return };
                if let Err(e) = unftp_sbe_fs::Filesystem::new(served.clone()) {
                    eprintln!("skiff demo: the sample folder is gone ({e}); refusing a connection");
                    continue;
                }
                let served = served.clone();
                #[expect(clippy::expect_used, reason = "the folder opened a moment ago; a failure ends only this connection's task")]
                let generator = Box::new(move || unftp_sbe_fs::Filesystem::new(served.clone()).expect("the demo folder opens"));
                let built = libunftp::ServerBuilder::with_authenticator(generator, Arc::new(libunftp::auth::AnonymousAuthenticator))
                    .greeting("Skiff demo server: anonymous, on 127.0.0.1 only")
                    .active_passive_mode(libunftp::options::ActivePassiveMode::ActiveAndPassive)
                    .build();
                if let Ok(server) = built {
                    tokio::spawn(server.service(socket));
                }
            }
        });
        Ok(Self { port, _root: root })
    }

    /// The URL to connect to.
    #[must_use]
    pub fn url(&self) -> String {
        format!("ftp://127.0.0.1:{}/", self.port)
    }
}

fn write_file(path: &Path, body: &[u8]) -> std::io::Result<()> {
    std::fs::File::create(path)?.write_all(body)
}

/// Nested folders, a few hundred files, one 50 MiB file, unicode names.
fn write_sample_tree(root: &Path) -> std::io::Result<()> {
    let site = root.join("www");
    std::fs::create_dir_all(site.join("css"))?;
    std::fs::create_dir_all(site.join("img"))?;
    write_file(
        &site.join("index.html"),
        b"<!doctype html><title>Skiff demo</title><h1>Hello from Skiff</h1>\n",
    )?;
    write_file(
        &site.join("css").join("site.css"),
        b"body { font-family: sans-serif; }\n",
    )?;
    for i in 0..120 {
        write_file(
            &site.join("img").join(format!("photo-{i:03}.jpg")),
            &vec![0xA5; 2048 + i * 37],
        )?;
    }
    let logs = root.join("logs");
    std::fs::create_dir_all(&logs)?;
    for day in 1..=30 {
        let line = format!("2026-11-{day:02} 12:00:00 GET /index.html 200\n");
        write_file(
            &logs.join(format!("access-2026-11-{day:02}.log")),
            line.repeat(50 + day).as_bytes(),
        )?;
    }
    let shoot = root.join("photos").join("2026").join("Überraschung — café");
    std::fs::create_dir_all(&shoot)?;
    for i in 0..150 {
        write_file(
            &shoot.join(format!("IMG_{:04}.CR3", 1000 + i)),
            &vec![0x5A; 4096 + i],
        )?;
    }
    write_file(
        &root.join("photos").join("日本語のファイル.txt"),
        "こんにちは\n".as_bytes(),
    )?;
    write_file(
        &root.join("README.txt"),
        b"This is Skiff's demo server. Everything here is generated and removed on exit.\n",
    )?;
    let big = std::fs::File::create(root.join("big-50MiB.bin"))?;
    big.set_len(50 * 1024 * 1024)?;
    Ok(())
}
