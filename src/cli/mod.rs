//! The command line: `skiff ls|get|put|mkdir|rm|mv`, a second front end over the same engine
//! the window uses, `skiff sites …` for the bookmarks and `skiff trust …` for server
//! certificates. Exit status 0 ok, 1 failure, 2 usage.

mod client;
mod commands;
mod output;
mod progress;
mod sites;
mod trust;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::model::site::DataMode;

/// Skiff: a fast, safe FTP/FTPS client.
#[derive(Debug, Parser)]
#[command(name = "skiff", version, about, after_help = URL_HELP, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// Open the window connected to a built-in demo FTP server on 127.0.0.1.
    #[arg(long)]
    pub demo: bool,
    /// Open the window connected to this URL.
    pub url: Option<String>,
    /// Options every subcommand takes.
    #[command(flatten)]
    pub common: Common,
    /// What to do.
    #[command(subcommand)]
    pub command: Option<Action>,
}

const URL_HELP: &str = "URL: ftp://user[:pass]@host[:port]/path (plain), ftpes://... (explicit TLS), \
ftps://... (implicit TLS, port 990), or site:NAME/path for a saved site (skiff sites list)\n\
Password: in the URL, or the keyring for a saved site, or the SKIFF_PASSWORD environment variable, \
or --password-stdin; anonymous login when the URL names no user.";

/// Options shared by all subcommands.
#[derive(Debug, Args)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent command-line flags"
)]
pub struct Common {
    /// Data connection mode [default: auto, or the saved site's].
    #[arg(long, value_enum, global = true)]
    pub mode: Option<ModeArg>,
    /// Seconds to wait for the server at each step.
    #[arg(long, default_value_t = 30, global = true, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
    /// Accept any TLS certificate (self-signed, expired, other host) this time, without
    /// checking it against the system or the ones `skiff trust` remembered.
    #[arg(long, global = true)]
    pub insecure: bool,
    /// Read the password from the first line of standard input.
    #[arg(long, global = true)]
    pub password_stdin: bool,
    /// Print nothing but errors (and requested output).
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Print the FTP conversation to stderr (the password masked).
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

/// `--mode` values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ModeArg {
    /// EPSV, then PASV when the server refuses it.
    Auto,
    /// Passive (PASV).
    Pasv,
    /// Extended passive (EPSV).
    Epsv,
    /// Active (PORT on IPv4, EPRT on IPv6): the server connects back.
    Active,
}

impl From<ModeArg> for DataMode {
    fn from(m: ModeArg) -> Self {
        match m {
            ModeArg::Auto => Self::Auto,
            ModeArg::Pasv => Self::Passive,
            ModeArg::Epsv => Self::ExtendedPassive,
            ModeArg::Active => Self::Active,
        }
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Action {
    /// Test a server step by step and say which settings work (data-connection modes, TLS).
    Doctor {
        /// The server (ftp://, ftpes://, ftps:// or site:NAME).
        url: String,
        /// JSON: {steps: [{name, ok, millis, detail}], verdict, recommended: {mode, protocol}}.
        #[arg(long)]
        json: bool,
    },
    /// List a remote folder.
    Ls {
        /// The folder (or file).
        url: String,
        /// Long format: permissions, size, date, name.
        #[arg(short, long)]
        long: bool,
        /// JSON: an array of {name, kind, size, modified}.
        #[arg(long, conflicts_with = "long")]
        json: bool,
    },
    /// Download a file or (with -r) a folder.
    Get {
        /// The remote file or folder.
        url: String,
        /// Where to put it: a folder (the file goes inside) or a file name. Default: here.
        local: Option<PathBuf>,
        /// Copy folders with everything in them.
        #[arg(short, long)]
        recursive: bool,
        /// Continue a partial download (REST at its length).
        #[arg(long, conflicts_with = "overwrite")]
        resume: bool,
        /// Replace existing local files.
        #[arg(long)]
        overwrite: bool,
        /// Split one large file over N connections.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=10))]
        segments: u16,
        /// Transfer N files at once, each on its own connection.
        #[arg(short = 'j', long = "jobs", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=10))]
        jobs: u16,
    },
    /// Upload a file or (with -r) a folder.
    Put {
        /// The local file or folder.
        local: PathBuf,
        /// The remote folder (the file goes inside) or file name.
        url: String,
        /// Copy folders with everything in them.
        #[arg(short, long)]
        recursive: bool,
        /// Replace existing remote files.
        #[arg(long)]
        overwrite: bool,
        /// Transfer N files at once, each on its own connection.
        #[arg(short = 'j', long = "jobs", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=10))]
        jobs: u16,
    },
    /// Create a remote folder.
    Mkdir {
        /// The new folder.
        url: String,
    },
    /// Delete a remote file, or a folder with -r.
    Rm {
        /// What to delete.
        url: String,
        /// Delete a folder and everything in it.
        #[arg(short, long)]
        recursive: bool,
    },
    /// Set a remote file's or folder's permissions (octal, e.g. 644 or 755; the server must
    /// support SITE CHMOD).
    Chmod {
        /// The permission bits, in octal (`--mode` is the data-connection mode).
        #[arg(value_name = "MODE", value_parser = permission_mode)]
        permissions: u32,
        /// A folder: everything inside it too, files and folders, at every depth.
        #[arg(short, long)]
        recursive: bool,
        /// The file or folder.
        url: String,
    },
    /// Rename or move a remote file or folder.
    Mv {
        /// What to move.
        url: String,
        /// The new path: absolute, or relative to the folder it is in.
        new_path: String,
    },
    /// Saved sites (bookmarks): list, add, remove, import from `FileZilla`.
    Sites {
        /// What to do with them.
        #[command(subcommand)]
        command: SitesAction,
    },
    /// Trust a server's certificate (self-signed, or unknown to the system) from now on, by
    /// its SHA-256 fingerprint as skiff showed it; or list or forget trusted certificates.
    #[command(
        override_usage = "skiff trust URL FINGERPRINT\n       skiff trust --list\n       skiff trust --forget URL"
    )]
    Trust {
        /// The server: `ftpes://host[:port]`, `ftps://host[:port]` or `site:NAME` (the certificate
        /// is trusted for that host and port).
        #[arg(required_unless_present = "list")]
        url: Option<String>,
        /// The certificate's SHA-256 fingerprint: AB:CD:… as skiff printed it, or 64 hex digits.
        #[arg(required_unless_present_any = ["list", "forget"])]
        fingerprint: Option<String>,
        /// List the trusted certificates.
        #[arg(long, conflicts_with_all = ["url", "fingerprint", "forget"])]
        list: bool,
        /// Stop trusting the certificate of URL's host and port.
        #[arg(long, conflicts_with = "fingerprint")]
        forget: bool,
    },
}

/// `skiff sites …`.
#[derive(Debug, Subcommand)]
pub enum SitesAction {
    /// One line per saved site: its path (folder/name) and URL.
    List {
        /// JSON: an array of {path, url, name, folder, host, port, protocol, user, logon, …}.
        #[arg(long)]
        json: bool,
    },
    /// Save a site. A password in the URL (or `SKIFF_PASSWORD`, or --password-stdin) goes to
    /// the system keyring, never to a file.
    Add {
        /// The name, optionally in folders: "work" or "Work/Clients/acme".
        name: String,
        /// `ftp://user@host[:port]/folder` (`ftpes://`, `ftps://` for TLS).
        url: String,
    },
    /// Delete a saved site and its saved password.
    Rm {
        /// Its name, or its path when the name is in several folders.
        name: String,
    },
    /// Import the Site Manager of `FileZilla` (`sitemanager.xml`): folders, sites, passwords
    /// (to the keyring). SFTP sites are skipped.
    Import {
        /// The sitemanager.xml file.
        file: PathBuf,
    },
}

/// Runs one subcommand; returns the process exit status.
#[must_use]
pub fn run(common: &Common, action: Action) -> i32 {
    match action {
        Action::Sites { command } => sites::run(common, command),
        Action::Trust {
            url,
            fingerprint,
            list,
            forget,
        } => trust::run(
            common,
            &trust::Request {
                url,
                fingerprint,
                list,
                forget,
            },
        ),
        other => commands::run(common, other),
    }
}

/// `skiff chmod`'s mode: octal digits (`644`, `0755`).
fn permission_mode(text: &str) -> Result<u32, String> {
    crate::model::permissions::parse_octal(text)
        .ok_or_else(|| format!("'{text}' is not a permission mode: give octal digits, e.g. 644"))
}
