//! Everything that crosses the channel between a front end (window or command line) and the
//! engine: commands in, events out, each answer tagged with the request it answers.

use std::path::PathBuf;

use crate::model::entry::Entry;
use crate::model::path::RemotePath;
use crate::model::site::Site;
use crate::model::transfer::{Direction, Progress, TransferId, TransferState};

/// Tags a command; every answer to it carries the same id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub u64);

/// One connected site (a browsing connection plus its transfer connections).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId(pub u64);

/// What to do when the target of a transfer already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExistingTarget {
    /// Stop with an error that names the file (the safe default).
    #[default]
    Refuse,
    /// Replace it.
    Overwrite,
    /// Continue from its length (REST).
    Resume,
    /// Leave it and count the file as skipped.
    Skip,
    /// Replace it when the source is newer; otherwise skip.
    OverwriteIfNewer,
    /// Replace it when the sizes differ; otherwise skip.
    OverwriteIfSizeDiffers,
    /// Keep it and transfer under a free name beside it (`name (1).ext`).
    Rename,
}

/// A transfer to run: one file, or a whole tree with `recursive`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferRequest {
    /// Download or upload.
    pub direction: Direction,
    /// The local file or folder (source of an upload, target of a download).
    pub local: PathBuf,
    /// The remote file or folder.
    pub remote: RemotePath,
    /// Copy folders with everything in them.
    pub recursive: bool,
    /// What to do with existing targets.
    pub existing: ExistingTarget,
    /// Files transferred at once, each on its own connection (1..=10).
    pub connections: usize,
    /// Connections one large download is split over (1 = not split).
    pub segments: usize,
    /// Keep modification times (MDTM on download, MFMT on upload).
    pub keep_times: bool,
}

/// A change to local files, run by the engine so the window never touches the disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalChange {
    /// Create a folder.
    Mkdir(PathBuf),
    /// Delete a file or link, or a folder with everything in it (links are never followed).
    Remove(PathBuf),
    /// Rename; refused when `to` exists (nothing is replaced).
    Rename {
        /// Current path.
        from: PathBuf,
        /// New path.
        to: PathBuf,
    },
}

/// One file a scan found, ready to be queued (and what `TransferFile` moves).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannedFile {
    /// The local file (source of an upload, target of a download).
    pub local: PathBuf,
    /// The remote file.
    pub remote: RemotePath,
    /// The source's size, when known.
    pub size: Option<u64>,
    /// The source's modification time (Unix seconds), when known.
    pub modified: Option<i64>,
}

/// A server certificate the system does not vouch for (or one that changed since the user
/// trusted another), as the front end shows it before asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateInfo {
    /// The server's host.
    pub host: String,
    /// Its control port.
    pub port: u16,
    /// Who the certificate names.
    pub subject: String,
    /// Who signed it.
    pub issuer: String,
    /// Valid from (Unix seconds).
    pub not_before: i64,
    /// Valid until (Unix seconds).
    pub not_after: i64,
    /// SHA-256 of the certificate (lowercase hex).
    pub sha256: String,
    /// The user trusted a different certificate for this host and port.
    pub changed: bool,
    /// Why the system did not trust it.
    pub reason: String,
}

impl CertificateInfo {
    /// The fingerprint as people compare it: `AB:CD:…`.
    #[must_use]
    pub fn fingerprint_colons(&self) -> String {
        self.sha256
            .as_bytes()
            .chunks(2)
            .map(|pair| String::from_utf8_lossy(pair).to_uppercase())
            .collect::<Vec<_>>()
            .join(":")
    }
}

/// What a recursive chmod changes, the folder it starts from included (`FileZilla`'s "apply to
/// all files and folders / files only / folders only").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recurse {
    /// Files get the mode.
    pub files: bool,
    /// Folders get the mode.
    pub folders: bool,
}

/// One step of the connection doctor (`engine::doctor`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DoctorStep {
    /// What was tested (stable names: `resolve`, `tcp`, `greeting`, `tls`, `tls_implicit`,
    /// `tls_explicit`, `login`, `features`, `rtt`, `epsv`, `pasv`, `active`, `throughput`).
    pub name: String,
    /// It worked.
    pub ok: bool,
    /// How long it took.
    pub millis: u64,
    /// What was seen, or why it failed, in words.
    pub detail: String,
    /// The data port a data-connection step used (the server's for EPSV and PASV, the one
    /// Skiff announced for active), when known; absent from JSON otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
}

/// The settings the doctor recommends.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Recommended {
    /// The data-connection mode that worked first (`epsv`, `pasv`, `active`), if any.
    pub mode: Option<String>,
    /// The protocol scheme that works (`ftp`, `ftpes`, `ftps`): the site's own, or the other
    /// kind of TLS when only that worked.
    pub protocol: String,
    /// The control port that goes with it.
    pub port: u16,
}

/// The connection doctor's result.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DoctorReport {
    /// Every step, in order.
    pub steps: Vec<DoctorStep>,
    /// One sentence: what to do.
    pub verdict: String,
    /// The settings that work.
    pub recommended: Recommended,
}

/// A request to the engine.
#[derive(Debug, Clone)]
pub enum Command {
    /// Connect and log in; answered by [`Event::Connected`].
    Connect {
        /// Request tag.
        request: RequestId,
        /// Where and how.
        site: Site,
    },
    /// List a remote folder; answered by [`Event::Listing`].
    List {
        /// Request tag.
        request: RequestId,
        /// The connected site.
        session: SessionId,
        /// The folder.
        path: RemotePath,
    },
    /// List a local folder (off the UI thread); answered by [`Event::LocalListing`].
    ListLocal {
        /// Request tag.
        request: RequestId,
        /// The folder.
        path: PathBuf,
    },
    /// Size, kind and time of one remote path; answered by [`Event::Stat`].
    Stat {
        /// Request tag.
        request: RequestId,
        /// The connected site.
        session: SessionId,
        /// The path.
        path: RemotePath,
    },
    /// Create a remote folder; answered by [`Event::Done`].
    Mkdir {
        /// Request tag.
        request: RequestId,
        /// The connected site.
        session: SessionId,
        /// The new folder.
        path: RemotePath,
    },
    /// Delete a remote file, or a folder (with everything in it when `recursive`).
    Remove {
        /// Request tag.
        request: RequestId,
        /// The connected site.
        session: SessionId,
        /// What to delete.
        path: RemotePath,
        /// Delete a folder's contents too.
        recursive: bool,
    },
    /// Rename or move a remote path; answered by [`Event::Done`].
    Rename {
        /// Request tag.
        request: RequestId,
        /// The connected site.
        session: SessionId,
        /// Current path.
        from: RemotePath,
        /// New path.
        to: RemotePath,
    },
    /// Set a remote path's permissions (`SITE CHMOD`, octal); answered by [`Event::Done`].
    Chmod {
        /// Request tag.
        request: RequestId,
        /// The connected site.
        session: SessionId,
        /// The file or folder.
        path: RemotePath,
        /// The permission bits (`0o644`).
        mode: u32,
        /// A folder: also what is inside it, at every depth (`None`: the path alone).
        recurse: Option<Recurse>,
    },
    /// Download or upload; per-file events, then [`Event::Done`] or [`Event::Failed`].
    Transfer {
        /// Request tag.
        request: RequestId,
        /// The connected site.
        session: SessionId,
        /// What to move.
        job: TransferRequest,
    },
    /// Create, delete or rename on this machine (off the UI thread); answered by [`Event::Done`].
    ChangeLocal {
        /// Request tag.
        request: RequestId,
        /// What to change.
        change: LocalChange,
    },
    /// Walk what a transfer would move (creating the target folders) and report its files in
    /// batches ([`Event::Scanned`]) without moving them; then [`Event::Done`].
    Scan {
        /// Request tag.
        request: RequestId,
        /// The connected site.
        session: SessionId,
        /// What would be moved (`recursive` for folders).
        job: TransferRequest,
    },
    /// Move one file, exactly from and to the paths given, on one of the session's transfer
    /// connections (retried with resume); per-file events, then [`Event::Done`] or
    /// [`Event::Failed`].
    TransferFile {
        /// Request tag.
        request: RequestId,
        /// The connected site.
        session: SessionId,
        /// Download or upload.
        direction: Direction,
        /// The file.
        file: ScannedFile,
        /// What to do when the target exists.
        existing: ExistingTarget,
        /// Continue what an earlier run left (our part file; a shorter upload target).
        resume: bool,
        /// Keep the modification time.
        keep_times: bool,
        /// Files of the session moved at once (1 to 10): later ones wait for a free slot, so a
        /// front end may hand over more than that without waiting for each to end.
        connections: usize,
    },
    /// Size, kind and time of a local path; answered by [`Event::Stat`].
    StatLocal {
        /// Request tag.
        request: RequestId,
        /// The path.
        path: PathBuf,
    },
    /// Speed limits shared by all transfers, in bytes per second (0: none).
    SetSpeedLimits {
        /// For all downloads together.
        download: u64,
        /// For all uploads together.
        upload: u64,
    },
    /// Test a site step by step; answered by [`Event::DoctorStep`]s and [`Event::DoctorDone`].
    Doctor {
        /// Request tag.
        request: RequestId,
        /// The site to test.
        site: Site,
    },
    /// Stop a running request (a transfer, a listing) within a second.
    Cancel {
        /// The request to stop.
        request: RequestId,
    },
    /// Close every connection of a session.
    Disconnect {
        /// The session.
        session: SessionId,
    },
}

/// Who said a log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogKind {
    /// A command Skiff sent (passwords masked).
    Sent,
    /// A reply the server sent.
    Received,
    /// Skiff's own note (addresses, what it does).
    Info,
    /// `Auto` mode changed the session's data-connection mode (EPSV refused, passive ports
    /// unreachable); the window links such a line to the connection doctor.
    ModeSwitch,
    /// Something went wrong.
    Error,
}

/// How an error came about, for a front end to pick its words and offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Could not reach the server.
    Connect,
    /// Login refused.
    Auth,
    /// TLS failed or was refused.
    Tls,
    /// The server's certificate is not trusted (see [`Event::Certificate`]).
    Certificate,
    /// The server answered with an error code.
    Server,
    /// The server broke the protocol or a limit.
    Protocol,
    /// A data connection could not be opened.
    DataConnection,
    /// A network wait ran out.
    Timeout,
    /// The connection was lost.
    Disconnected,
    /// A local file or folder problem.
    Local,
    /// The target exists and was not to be replaced.
    Exists,
    /// The user stopped it.
    Cancelled,
    /// The request itself makes no sense (unknown session, bad name).
    Invalid,
}

/// An error as a front end sees it: what happened, in a user's words, and the server's code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorReport {
    /// Category.
    pub kind: ErrorKind,
    /// The message, saying what the user can do.
    pub message: String,
    /// The server's reply code, when the server refused.
    pub code: Option<u16>,
}

/// Something the engine tells the front end.
#[derive(Debug, Clone)]
pub enum Event {
    /// One doctor step ended.
    DoctorStep {
        /// The doctor request.
        request: RequestId,
        /// The step.
        step: DoctorStep,
    },
    /// The doctor is done (then [`Event::Done`]).
    DoctorDone {
        /// The doctor request.
        request: RequestId,
        /// Everything it found.
        report: Box<DoctorReport>,
    },
    /// The server's certificate is not trusted; the request's `Failed` follows.
    Certificate {
        /// The request (a connect).
        request: RequestId,
        /// The certificate.
        info: Box<CertificateInfo>,
    },
    /// Files found by a [`Command::Scan`] (more may follow).
    Scanned {
        /// The scan.
        request: RequestId,
        /// The files, in the order found.
        files: Vec<ScannedFile>,
    },
    /// One line of the FTP conversation or a note about it.
    Log {
        /// The session it belongs to (`None` before one exists).
        session: Option<SessionId>,
        /// Who said it.
        kind: LogKind,
        /// The text, passwords masked.
        text: String,
    },
    /// Logged in.
    Connected {
        /// The connect request.
        request: RequestId,
        /// The new session.
        session: SessionId,
        /// The server's current folder after login.
        home: RemotePath,
        /// The server's greeting.
        greeting: String,
    },
    /// A remote folder's entries.
    Listing {
        /// The list request.
        request: RequestId,
        /// The folder listed.
        path: RemotePath,
        /// Its entries (`.`/`..` and unsafe names left out).
        entries: Vec<Entry>,
    },
    /// A local folder's entries.
    LocalListing {
        /// The list request.
        request: RequestId,
        /// The folder listed.
        path: PathBuf,
        /// Its entries.
        entries: Vec<Entry>,
    },
    /// One remote path's facts (`None`: it does not exist).
    Stat {
        /// The stat request.
        request: RequestId,
        /// The entry.
        entry: Option<Entry>,
    },
    /// A file transfer began.
    TransferStarted {
        /// The request it belongs to.
        request: RequestId,
        /// Its id.
        id: TransferId,
        /// Which way.
        direction: Direction,
        /// The local path.
        local: PathBuf,
        /// The remote path.
        remote: RemotePath,
        /// The size, when known.
        size: Option<u64>,
    },
    /// A file transfer moved on (at most ~10 per second per transfer, always the last).
    TransferProgress {
        /// The transfer.
        id: TransferId,
        /// Where it is.
        progress: Progress,
    },
    /// A file transfer ended.
    TransferFinished {
        /// The transfer.
        id: TransferId,
        /// Done, failed, cancelled or skipped.
        state: TransferState,
    },
    /// A request finished successfully.
    Done {
        /// The request.
        request: RequestId,
    },
    /// A request failed.
    Failed {
        /// The request.
        request: RequestId,
        /// Why.
        error: ErrorReport,
    },
    /// A session's connections are closed.
    Disconnected {
        /// The session.
        session: SessionId,
    },
}
