//! `skiff sites …` and `site:NAME/path` as a user runs them: saved sites round trip, a damaged
//! file is kept aside, concurrent processes lose nothing, passwords never reach a file (this
//! machine may have no keyring: then they are not saved at all), `FileZilla` import, and `ls`
//! through a saved site against the in-process server. With `dbus-run-session` and
//! `gnome-keyring-daemon` installed, one test stores and reads back a password through a real
//! Secret Service.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use assert_cmd::Command;
use common::{PASSWORD, TestServer, USER};

/// A user's folders for one test: config, data and home, all temporary, and no keyring
/// (a D-Bus address where nothing listens).
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["config", "data", "home"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
        }
        Self { dir }
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    fn sites_file(&self) -> PathBuf {
        self.config().join("sites.toml")
    }

    /// `skiff` with this home and no keyring reachable (a D-Bus address nobody listens on).
    fn skiff(&self) -> Command {
        let mut cmd = Command::cargo_bin("skiff").unwrap();
        cmd.timeout(Duration::from_secs(60))
            .env_remove("SKIFF_PASSWORD")
            .env("SKIFF_CONFIG_DIR", self.config())
            .env("SKIFF_DATA_DIR", self.dir.path().join("data"))
            .env("HOME", self.dir.path().join("home"))
            .env("XDG_CONFIG_HOME", self.dir.path().join("home/.config"))
            .env("XDG_DATA_HOME", self.dir.path().join("home/.local/share"))
            .env(
                "DBUS_SESSION_BUS_ADDRESS",
                format!("unix:path={}", self.dir.path().join("no-bus").display()),
            );
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.skiff().args(args).output().unwrap()
    }
}

fn stdout_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[track_caller]
fn assert_ok(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        stdout_of(out),
        stderr_of(out)
    );
}

/// Every file under `dir`, recursively. A keyring daemon may still be removing its temporary
/// files and folders while this walks: what vanishes is skipped.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut folders = vec![dir.to_owned()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            assert!(folder != dir, "cannot read {}", dir.display());
            continue;
        };
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                folders.push(entry.path());
            } else {
                files.push(entry.path());
            }
        }
    }
    files
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn add_list_and_remove_sites() {
    let home = Home::new();
    let out = home.run(&[
        "sites",
        "add",
        "work",
        "ftpes://ann@ftp.example.com:2121/www/",
    ]);
    assert_ok(&out);
    assert!(stdout_of(&out).contains("Saved work: ftpes://ann@ftp.example.com:2121/www"));
    assert_ok(&home.run(&[
        "sites",
        "add",
        "Clients/Acme/shop",
        "ftp://shop.example.org",
    ]));
    assert_ok(&home.run(&[
        "sites",
        "add",
        "--mode",
        "active",
        "zeta",
        "ftps://u@z.example.org",
    ]));

    let out = home.run(&["sites", "list"]);
    assert_ok(&out);
    assert_eq!(
        stdout_of(&out),
        "Clients/Acme/shop  ftp://shop.example.org\n\
         work               ftpes://ann@ftp.example.com:2121/www\n\
         zeta               ftps://u@z.example.org\n"
    );

    let out = home.run(&["sites", "list", "--json"]);
    assert_ok(&out);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let items = json.as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[0]["path"], "Clients/Acme/shop");
    assert_eq!(items[0]["folder"], "Clients/Acme");
    assert_eq!(items[0]["logon"], "anonymous");
    assert_eq!(items[1]["protocol"], "ftpes");
    assert_eq!(items[1]["port"], 2121);
    assert_eq!(items[1]["remote_folder"], "/www");
    assert_eq!(items[2]["mode"], "active");

    let text = std::fs::read_to_string(home.sites_file()).unwrap();
    assert!(text.starts_with("# Skiff's saved sites."), "{text}");
    assert!(
        text.contains("folders = [\"Clients\", \"Clients/Acme\"]"),
        "{text}"
    );

    // The same name twice is refused; the first stays.
    let out = home.run(&["sites", "add", "work", "ftp://other.example.com"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr_of(&out).contains("already exists"),
        "{}",
        stderr_of(&out)
    );

    let out = home.run(&["sites", "rm", "shop"]);
    assert_ok(&out);
    assert_eq!(stdout_of(&out), "Removed Clients/Acme/shop\n");
    let out = home.run(&["sites", "rm", "shop"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr_of(&out).contains("no site named shop (skiff sites list shows them)"),
        "{}",
        stderr_of(&out)
    );
    let out = home.run(&["sites", "list"]);
    assert_eq!(stdout_of(&out).lines().count(), 2, "{}", stdout_of(&out));

    // Usage errors exit 2.
    assert_eq!(
        home.run(&["sites", "add", "x", "http://h/"]).status.code(),
        Some(2)
    );
    assert_eq!(home.run(&["sites", "add", "x"]).status.code(), Some(2));
    assert_eq!(home.run(&["sites", "frobnicate"]).status.code(), Some(2));
}

#[test]
fn a_damaged_sites_file_is_kept_aside() {
    let home = Home::new();
    std::fs::create_dir_all(home.config()).unwrap();
    let damaged = b"version = 1\n[[site]\nname = \"x\"\n";
    std::fs::write(home.sites_file(), damaged).unwrap();

    let out = home.run(&["sites", "list"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(err.contains("the bookmarks file"), "{err}");
    assert!(err.contains("sites.toml.bak-"), "{err}");
    let backups: Vec<PathBuf> = files_under(&home.config())
        .into_iter()
        .filter(|f| f.to_string_lossy().contains("sites.toml.bak-"))
        .collect();
    assert_eq!(backups.len(), 1);
    assert_eq!(std::fs::read(&backups[0]).unwrap(), damaged);

    // Skiff goes on with an empty file; the backup stays as it was.
    assert_ok(&home.run(&["sites", "add", "new", "ftp://h"]));
    assert_eq!(stdout_of(&home.run(&["sites", "list"])), "new  ftp://h\n");
    assert_eq!(std::fs::read(&backups[0]).unwrap(), damaged);
}

#[test]
fn processes_adding_at_once_lose_nothing() {
    const PROCESSES: usize = 8;
    let home = Home::new();
    let children: Vec<_> = (0..PROCESSES)
        .map(|n| {
            let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("skiff"));
            cmd.args([
                "sites",
                "add",
                &format!("site{n}"),
                &format!("ftp://host{n}"),
            ])
            .env("SKIFF_CONFIG_DIR", home.config())
            .env("SKIFF_DATA_DIR", home.dir.path().join("data"))
            .stdout(std::process::Stdio::null());
            cmd.spawn().unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let out = home.run(&["sites", "list"]);
    assert_ok(&out);
    let listed = stdout_of(&out);
    for n in 0..PROCESSES {
        assert!(
            listed.contains(&format!("ftp://host{n}\n")),
            "site{n} lost:\n{listed}"
        );
    }
    assert_eq!(listed.lines().count(), PROCESSES);
}

/// Base64 of "fz-base64-pass!" as `FileZilla` writes it.
const FZ_PASSWORD: &str = "fz-base64-pass!";
const FZ_PASSWORD_BASE64: &str = "ZnotYmFzZTY0LXBhc3Mh";

fn filezilla_xml() -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<FileZilla3 version="3.66.5" platform="linux">
  <Servers>
    <Folder expanded="1">Work
      <Server><Host>plain.example.com</Host><Port>21</Port><Protocol>0</Protocol>
        <User>ann</User><Pass encoding="base64">{FZ_PASSWORD_BASE64}</Pass><Logontype>1</Logontype>
        <PasvMode>MODE_PASSIVE</PasvMode><Name>plain</Name><RemoteDir>1 0 3 www</RemoteDir></Server>
      <Folder expanded="0">Clients
        <Server><Host>implicit.example.com</Host><Port>990</Port><Protocol>3</Protocol>
          <User>bob</User><Logontype>2</Logontype><Name>implicit</Name></Server>
        <Server><Host>sftp.example.com</Host><Port>22</Port><Protocol>1</Protocol>
          <User>carol</User><Logontype>1</Logontype><Name>sftp-box</Name></Server>
      </Folder>
    </Folder>
    <Server><Host>explicit.example.com</Host><Port>2121</Port><Protocol>4</Protocol>
      <Logontype>0</Logontype><Name>explicit</Name></Server>
  </Servers>
</FileZilla3>
"#
    )
}

#[test]
fn import_from_filezilla() {
    let home = Home::new();
    let source = tempfile::tempdir().unwrap();
    let xml = source.path().join("sitemanager.xml");
    std::fs::write(&xml, filezilla_xml()).unwrap();

    let out = home.run(&["sites", "import", xml.to_str().unwrap()]);
    assert_ok(&out);
    assert!(
        stdout_of(&out).starts_with(
            "Imported 3 sites in 2 folders; skipped 1: Work/Clients/sftp-box (SFTP is not supported)"
        ),
        "{}",
        stdout_of(&out)
    );
    assert_eq!(
        stdout_of(&home.run(&["sites", "list"])),
        "Work/Clients/implicit  ftps://bob@implicit.example.com\n\
         Work/plain             ftp://ann@plain.example.com/www\n\
         explicit               ftpes://explicit.example.com:2121\n"
    );

    let out = home.run(&["sites", "import", "/no/such/sitemanager.xml"]);
    assert_eq!(out.status.code(), Some(1));
    std::fs::write(&xml, "<html/>").unwrap();
    let out = home.run(&["sites", "import", xml.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr_of(&out).contains("FileZilla"), "{}", stderr_of(&out));
}

#[cfg(target_os = "linux")]
#[test]
fn without_a_keyring_passwords_are_never_written_anywhere() {
    let home = Home::new();
    let url_password = "url-pass-7f3k";
    let env_password = "env-pass-9q2m";
    let stdin_password = "stdin-pass-4x8z";

    let out = home.run(&[
        "sites",
        "add",
        "one",
        &format!("ftp://ann:{url_password}@one.example.com/"),
    ]);
    assert_ok(&out);
    let err = stderr_of(&out);
    assert!(err.contains("No keyring is reachable"), "{err}");
    assert!(err.contains("The password was not saved"), "{err}");

    let out = home
        .skiff()
        .args(["sites", "add", "Work/two", "ftpes://bob@two.example.com"])
        .env("SKIFF_PASSWORD", env_password)
        .output()
        .unwrap();
    assert_ok(&out);
    assert!(stderr_of(&out).contains("not saved"));

    let out = home
        .skiff()
        .args([
            "sites",
            "add",
            "--password-stdin",
            "three",
            "ftp://c@three.example.com",
        ])
        .write_stdin(format!("{stdin_password}\n"))
        .output()
        .unwrap();
    assert_ok(&out);

    let source = tempfile::tempdir().unwrap();
    let xml = source.path().join("sitemanager.xml");
    std::fs::write(&xml, filezilla_xml()).unwrap();
    let out = home.run(&["sites", "import", xml.to_str().unwrap()]);
    assert_ok(&out);
    assert!(
        stderr_of(&out).contains("The password was not saved"),
        "{}",
        stderr_of(&out)
    );

    assert_ok(&home.run(&["sites", "list", "--json"]));

    let secrets = [
        url_password,
        env_password,
        stdin_password,
        FZ_PASSWORD,
        FZ_PASSWORD_BASE64,
    ];
    let files = files_under(home.dir.path());
    assert!(files.iter().any(|f| f.ends_with("sites.toml")), "{files:?}");
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        for secret in secrets {
            assert!(
                !contains(&bytes, secret.as_bytes()),
                "{secret} found in {}",
                file.display()
            );
        }
    }
    let text = std::fs::read_to_string(home.sites_file()).unwrap();
    assert_eq!(text.matches("[[site]]").count(), 6, "{text}");
}

#[test]
fn ls_and_get_through_a_saved_site() {
    let server = TestServer::start();
    std::fs::create_dir_all(server.file("www/sub")).unwrap();
    std::fs::write(server.file("www/index.html"), b"<h1>hi</h1>").unwrap();
    std::fs::write(server.file("top.txt"), b"top").unwrap();
    let home = Home::new();
    let url = format!("ftp://{USER}@127.0.0.1:{}/www", server.port);
    assert_ok(&home.run(&["sites", "add", "Servers/work", &url]));

    let ls = |target: &str| {
        home.skiff()
            .args(["ls", target])
            .env("SKIFF_PASSWORD", PASSWORD)
            .output()
            .unwrap()
    };
    // A path after the name is from the server's root.
    let out = ls("site:work/www");
    assert_ok(&out);
    assert_eq!(stdout_of(&out), "sub/\nindex.html\n");
    // No path: the site's remote folder.
    assert_eq!(stdout_of(&ls("site:Servers/work")), "sub/\nindex.html\n");
    assert_eq!(stdout_of(&ls("site:work/")), "sub/\nindex.html\n");
    let out = ls("site:Servers/work/top.txt");
    assert_ok(&out);
    assert_eq!(stdout_of(&out), "top.txt\n");

    let local = tempfile::tempdir().unwrap();
    let out = home
        .skiff()
        .args([
            "get",
            "-q",
            "site:work/www/index.html",
            local.path().to_str().unwrap(),
        ])
        .env("SKIFF_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    assert_ok(&out);
    assert_eq!(
        std::fs::read(local.path().join("index.html")).unwrap(),
        b"<h1>hi</h1>"
    );

    // No password anywhere: the login fails, and Skiff says the keyring was not there.
    let out = home.run(&["ls", "site:work"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(err.contains("No keyring is reachable"), "{err}");

    let out = home.run(&["ls", "site:nope/www"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("no site named nope"),
        "{}",
        stderr_of(&out)
    );
}

/// Stores a password through a real Secret Service (gnome-keyring in a private D-Bus session)
/// and logs in with it. Skips, saying why, where those programs are not installed.
#[cfg(target_os = "linux")]
#[test]
fn a_real_keyring_keeps_the_password() {
    let missing: Vec<&str> = ["dbus-run-session", "gnome-keyring-daemon"]
        .into_iter()
        .filter(|tool| {
            std::process::Command::new("sh")
                .args(["-c", &format!("command -v {tool}")])
                .output()
                .map_or(true, |out| !out.status.success())
        })
        .collect();
    if !missing.is_empty() {
        println!(
            "skipped: {} not installed (apt-get install dbus gnome-keyring)",
            missing.join(" and ")
        );
        return;
    }
    let server = TestServer::start();
    std::fs::write(server.file("kept.txt"), b"x").unwrap();
    let home = Home::new();
    let skiff = assert_cmd::cargo::cargo_bin("skiff");
    let url = format!("ftp://{USER}:s3cret%20pass@127.0.0.1:{}/", server.port);
    // Inside one private session bus: an unlocked keyring, then add, ls (the password from the
    // keyring only), rm (deletes it), ls again (fails: no password).
    let script = format!(
        r#"set -u
echo -n unlock | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
"{skiff}" sites add kept "{url}" || exit 10
"{skiff}" ls site:kept || exit 11
"{skiff}" sites rm kept >/dev/null || exit 12
"{skiff}" sites add kept "ftp://{USER}@127.0.0.1:{port}/" >/dev/null || exit 13
if "{skiff}" ls site:kept 2>/dev/null; then exit 14; fi
exit 0
"#,
        skiff = skiff.display(),
        port = server.port,
    );
    let out = std::process::Command::new("dbus-run-session")
        .args(["--", "sh", "-c", &script])
        .env_remove("SKIFF_PASSWORD")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env("SKIFF_CONFIG_DIR", home.config())
        .env("SKIFF_DATA_DIR", home.dir.path().join("data"))
        .env("HOME", home.dir.path().join("home"))
        .env("XDG_RUNTIME_DIR", home.dir.path().join("home"))
        .env("XDG_DATA_HOME", home.dir.path().join("home/.local/share"))
        .output()
        .unwrap();
    let stdout = stdout_of(&out);
    let stderr = stderr_of(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert!(
        stdout.contains("The password is in the system keyring."),
        "{stdout}"
    );
    assert!(stdout.contains("kept.txt"), "{stdout}");
    for file in files_under(home.dir.path()) {
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            !contains(&bytes, PASSWORD.as_bytes()),
            "the password is in {}",
            file.display()
        );
    }
}
