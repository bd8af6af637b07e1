//! A scripted, deliberately misbehaving FTP server for the cases a real server will not play:
//! a PASV reply naming another host, a 1 MiB reply line, hostile names in a listing, a file cut
//! mid-way, a slow file. Serves one file (`/file.bin`) and one listing; runs on its own thread
//! with its own runtime and stops when dropped.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// What the fake server does.
// Each flag is one independent misbehaviour a test switches on.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, Default)]
pub struct Script {
    /// The body of `/file.bin`.
    pub file: Vec<u8>,
    /// The text sent for LIST.
    pub listing: String,
    /// The host the PASV reply names (`None`: 127.0.0.1).
    pub pasv_names: Option<[u8; 4]>,
    /// Answer EPSV with 500.
    pub refuse_epsv: bool,
    /// Send a 1 MiB line (no newline for 1 MiB) instead of a greeting.
    pub huge_greeting: bool,
    /// Cut the first RETR after this many bytes (data and control connection closed).
    pub cut_first_retr_at: Option<usize>,
    /// Pause between 64 KiB chunks of a RETR.
    pub slow_chunk_delay: Option<Duration>,
    /// EPSV and PASV name a port nothing listens on (a closed passive range).
    pub passive_unreachable: bool,
    /// Active mode works: the server connects back to the PORT/EPRT address.
    pub connects_back: bool,
    /// Folders and their listings (`("/site", "drwx… cgi\r\n")`): CWD works only into
    /// them and LIST lists the current one. Empty: CWD always works and LIST sends `listing`.
    pub tree: Vec<(String, String)>,
}

/// A running fake server.
pub struct FakeServer {
    /// Its control port on 127.0.0.1.
    pub port: u16,
    /// How many RETR commands it has seen.
    pub retrs: Arc<AtomicUsize>,
    /// The arguments of every SITE command it was sent (`CHMOD 644 /a.txt`).
    pub site_commands: Arc<std::sync::Mutex<Vec<String>>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

impl FakeServer {
    /// Starts serving `script`.
    pub fn start(script: Script) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
        let port = listener.local_addr().unwrap().port();
        let retrs = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&retrs);
        let site_commands: Arc<std::sync::Mutex<Vec<String>>> = Arc::default();
        let sites = Arc::clone(&site_commands);
        let script = Arc::new(script);
        runtime.spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                let seen = Seen {
                    retrs: Arc::clone(&counter),
                    site_commands: Arc::clone(&sites),
                };
                tokio::spawn(session(socket, Arc::clone(&script), seen));
            }
        });
        Self {
            port,
            retrs,
            site_commands,
            runtime: Some(runtime),
        }
    }

    /// `ftp://u:p@127.0.0.1:port/path`.
    pub fn url(&self, path: &str) -> String {
        format!("ftp://u:p@127.0.0.1:{}{path}", self.port)
    }
}

async fn reply(w: &mut tokio::net::tcp::OwnedWriteHalf, text: &str) -> std::io::Result<()> {
    w.write_all(format!("{text}\r\n").as_bytes()).await
}

/// What LIST sends in the folder `cwd`.
fn listing_of<'a>(script: &'a Script, cwd: &str) -> &'a str {
    if script.tree.is_empty() {
        return &script.listing;
    }
    script
        .tree
        .iter()
        .find(|(path, _)| path == cwd)
        .map_or("", |(_, listing)| listing.as_str())
}

/// The address a PORT (`h1,h2,h3,h4,p1,p2`) or EPRT (`|1|ip|port|`) argument names.
fn active_address(verb: &str, arg: &str) -> Option<std::net::SocketAddr> {
    if verb.eq_ignore_ascii_case("EPRT") {
        let parts: Vec<&str> = arg.split('|').collect();
        let ip: std::net::IpAddr = parts.get(2)?.parse().ok()?;
        return Some((ip, parts.get(3)?.parse().ok()?).into());
    }
    let n: Vec<u16> = arg
        .split(',')
        .filter_map(|p| p.trim().parse().ok())
        .collect();
    let [a, b, c, d, hi, lo] = n[..] else {
        return None;
    };
    let octets = [a, b, c, d].map(|x| u8::try_from(x).unwrap_or(0));
    Some((octets, hi * 256 + lo).into())
}

/// What the sessions report back to the test.
struct Seen {
    retrs: Arc<AtomicUsize>,
    site_commands: Arc<std::sync::Mutex<Vec<String>>>,
}

async fn session(socket: TcpStream, script: Arc<Script>, seen: Seen) -> std::io::Result<()> {
    let retrs = seen.retrs;
    let (r, mut w) = socket.into_split();
    if script.huge_greeting {
        let line = vec![b'2'; 1024 * 1024];
        w.write_all(&line).await?;
        return w.write_all(b"\r\n").await;
    }
    reply(&mut w, "220 fake server").await?;
    let mut lines = BufReader::new(r).lines();
    let mut data: Option<TcpListener> = None;
    let mut active: Option<std::net::SocketAddr> = None;
    let mut cwd = "/".to_owned();
    let mut offset = 0usize;
    while let Some(line) = lines.next_line().await? {
        let (verb, arg) = line.split_once(' ').unwrap_or((line.as_str(), ""));
        match verb.to_ascii_uppercase().as_str() {
            "USER" => reply(&mut w, "331 password please").await?,
            "PASS" => reply(&mut w, "230 ok").await?,
            "FEAT" => {
                w.write_all(b"211-Features:\r\n SIZE\r\n REST STREAM\r\n211 End\r\n")
                    .await?;
            }
            "TYPE" | "OPTS" | "NOOP" => reply(&mut w, "200 ok").await?,
            "PORT" | "EPRT" => {
                active = if script.connects_back {
                    active_address(verb, arg)
                } else {
                    None
                };
                reply(&mut w, "200 PORT ok").await?;
            }
            "EPSV" | "PASV" if script.passive_unreachable => {
                let closed = TcpListener::bind("127.0.0.1:0").await?.local_addr()?.port();
                if verb.eq_ignore_ascii_case("EPSV") {
                    reply(&mut w, &format!("229 Extended Passive Mode (|||{closed}|)")).await?;
                } else {
                    let (hi, lo) = (closed / 256, closed % 256);
                    reply(&mut w, &format!("227 Passive Mode (127,0,0,1,{hi},{lo})")).await?;
                }
            }
            "PWD" => reply(&mut w, "257 \"/\" is current").await?,
            "SITE" => {
                if let Ok(mut seen) = seen.site_commands.lock() {
                    seen.push(arg.to_owned());
                }
                reply(&mut w, "200 SITE command successful").await?;
            }
            "CWD" if !script.tree.is_empty() && !script.tree.iter().any(|(p, _)| p == arg) => {
                reply(&mut w, "550 not a folder").await?;
            }
            "CWD" => {
                cwd = arg.to_owned();
                reply(&mut w, "250 ok").await?;
            }
            "SIZE" if arg == "/file.bin" => {
                reply(&mut w, &format!("213 {}", script.file.len())).await?;
            }
            "REST" => {
                offset = arg.parse().unwrap_or(0);
                reply(&mut w, "350 restarting").await?;
            }
            "EPSV" if script.refuse_epsv => reply(&mut w, "500 EPSV not understood").await?,
            "EPSV" => {
                let l = TcpListener::bind("127.0.0.1:0").await?;
                reply(
                    &mut w,
                    &format!(
                        "229 Entering Extended Passive Mode (|||{}|)",
                        l.local_addr()?.port()
                    ),
                )
                .await?;
                data = Some(l);
            }
            "PASV" => {
                let l = TcpListener::bind("127.0.0.1:0").await?;
                let port = l.local_addr()?.port();
                let h = script.pasv_names.unwrap_or([127, 0, 0, 1]);
                reply(
                    &mut w,
                    &format!(
                        "227 Entering Passive Mode ({},{},{},{},{},{})",
                        h[0],
                        h[1],
                        h[2],
                        h[3],
                        port / 256,
                        port % 256
                    ),
                )
                .await?;
                data = Some(l);
            }
            "LIST" if active.is_some() => {
                reply(&mut w, "150 connecting back").await?;
                let target = active.take().unwrap_or_else(|| ([127, 0, 0, 1], 0).into());
                let mut d = TcpStream::connect(target).await?;
                d.write_all(listing_of(&script, &cwd).as_bytes()).await?;
                drop(d);
                reply(&mut w, "226 done").await?;
            }
            "LIST" | "RETR" => {
                let Some(l) = data.take() else {
                    // Active mode: announce the transfer, never connect (a firewall in between).
                    reply(&mut w, "150 opening data connection").await?;
                    continue;
                };
                let is_retr = verb.eq_ignore_ascii_case("RETR");
                if is_retr && arg != "/file.bin" {
                    reply(&mut w, "550 no such file").await?;
                    continue;
                }
                reply(&mut w, "150 opening data connection").await?;
                let (mut d, _) = l.accept().await?;
                if !is_retr {
                    d.write_all(listing_of(&script, &cwd).as_bytes()).await?;
                    drop(d);
                    reply(&mut w, "226 done").await?;
                    continue;
                }
                let n = retrs.fetch_add(1, Ordering::SeqCst);
                let body = &script.file[offset.min(script.file.len())..];
                offset = 0;
                if n == 0
                    && let Some(cut) = script.cut_first_retr_at
                {
                    d.write_all(&body[..cut.min(body.len())]).await?;
                    d.flush().await?;
                    // The link drops: both connections close without a reply.
                    return Ok(());
                }
                for chunk in body.chunks(64 * 1024) {
                    d.write_all(chunk).await?;
                    if let Some(delay) = script.slow_chunk_delay {
                        tokio::time::sleep(delay).await;
                    }
                }
                drop(d);
                reply(&mut w, "226 done").await?;
            }
            "QUIT" => {
                reply(&mut w, "221 bye").await?;
                return Ok(());
            }
            _ => reply(&mut w, "502 not implemented").await?,
        }
    }
    Ok(())
}
