//! A site to connect to: host, port, protocol, TLS, data-connection mode, credentials; and the
//! `ftp://`, `ftpes://`, `ftps://` URLs that name one.

use std::fmt;
use std::time::Duration;

use super::path::RemotePath;

/// How the control connection is secured. Saved (in the bookmarks file) as its URL scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Protocol {
    /// Plain FTP (`ftp://`).
    #[serde(rename = "ftp")]
    Ftp,
    /// FTP over explicit TLS: AUTH TLS on the normal port (`ftpes://`).
    #[serde(rename = "ftpes")]
    ExplicitTls,
    /// FTP over implicit TLS: TLS from the first byte, port 990 by default (`ftps://`).
    #[serde(rename = "ftps")]
    ImplicitTls,
}

impl Protocol {
    /// The port used when the URL names none.
    #[must_use]
    pub fn default_port(self) -> u16 {
        match self {
            Self::Ftp | Self::ExplicitTls => 21,
            Self::ImplicitTls => 990,
        }
    }

    /// True when the connection uses TLS.
    #[must_use]
    pub fn is_tls(self) -> bool {
        self != Self::Ftp
    }

    /// The URL scheme for this protocol.
    #[must_use]
    pub fn scheme(self) -> &'static str {
        match self {
            Self::Ftp => "ftp",
            Self::ExplicitTls => "ftpes",
            Self::ImplicitTls => "ftps",
        }
    }
}

/// How data connections (listings, files) are opened. Saved as its command-line name
/// ([`DataMode::as_str`]).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum DataMode {
    /// EPSV first; PASV when the server refuses it (remembered for the session).
    #[default]
    #[serde(rename = "auto")]
    Auto,
    /// PASV: the client connects to a port the server names.
    #[serde(rename = "pasv")]
    Passive,
    /// EPSV: like PASV, port only (works over IPv6).
    #[serde(rename = "epsv")]
    ExtendedPassive,
    /// PORT/EPRT: the server connects back to the client.
    #[serde(rename = "active")]
    Active,
}

impl DataMode {
    /// The name used on the command line.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Passive => "pasv",
            Self::ExtendedPassive => "epsv",
            Self::Active => "active",
        }
    }
}

/// A password that never shows in `Debug` output or logs.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Password(String);

impl Password {
    /// Wraps a password.
    #[must_use]
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret itself, for the PASS command only.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(****)")
    }
}

/// Everything needed to open a session with a server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// Host name or IP address (IPv6 without brackets).
    pub host: String,
    /// Control port.
    pub port: u16,
    /// Plain, explicit or implicit TLS.
    pub protocol: Protocol,
    /// Passive, extended passive, active or auto.
    pub data_mode: DataMode,
    /// User name; `None` logs in as `anonymous`.
    pub user: Option<String>,
    /// Password, when known.
    pub password: Option<Password>,
    /// Accept any TLS certificate (the CLI's `--insecure`).
    pub insecure: bool,
    /// The SHA-256 (lowercase hex of the DER) of a certificate the user trusts for this host
    /// and port, whatever the system's roots say (a self-signed server).
    pub trusted_certificate: Option<String>,
    /// Limit for every network wait.
    pub timeout: Duration,
}

impl Site {
    /// A plain-FTP site on the default port with default settings.
    #[must_use]
    pub fn new(host: impl Into<String>, protocol: Protocol) -> Self {
        Self {
            host: host.into(),
            port: protocol.default_port(),
            protocol,
            data_mode: DataMode::Auto,
            user: None,
            password: None,
            insecure: false,
            trusted_certificate: None,
            timeout: Duration::from_secs(30),
        }
    }

    /// The user name sent with USER (`anonymous` when none was given).
    #[must_use]
    pub fn login_user(&self) -> &str {
        self.user.as_deref().unwrap_or("anonymous")
    }

    /// `host:port`, with brackets around an IPv6 address.
    #[must_use]
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// A URL for `path` on this site, without the password.
    #[must_use]
    pub fn url_for(&self, path: &RemotePath) -> String {
        let user = self
            .user
            .as_ref()
            .map(|u| format!("{u}@"))
            .unwrap_or_default();
        format!(
            "{}://{user}{}{}",
            self.protocol.scheme(),
            self.authority(),
            path
        )
    }
}

/// A parsed FTP URL: the site and the path it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FtpUrl {
    /// The server and credentials.
    pub site: Site,
    /// The path on the server (`/` when the URL names none).
    pub path: RemotePath,
    /// True when the URL's path ends in '/' (it names a folder).
    pub names_folder: bool,
}

/// Why a URL could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    /// Not a URL at all.
    #[error("'{0}' is not a URL: {1} (expected ftp://user@host/path)")]
    Malformed(String, String),
    /// A scheme Skiff does not speak.
    #[error(
        "'{0}' is not an FTP URL: use ftp://, ftpes:// (explicit TLS) or ftps:// (implicit TLS)"
    )]
    Scheme(String),
    /// No host.
    #[error("'{0}' names no host")]
    NoHost(String),
}

impl FtpUrl {
    /// Parses `ftp://user[:pass]@host[:port]/path`, `ftpes://…` or `ftps://…`.
    /// User, password and path are percent-decoded.
    pub fn parse(text: &str) -> Result<Self, UrlError> {
        let url =
            url::Url::parse(text).map_err(|e| UrlError::Malformed(redact(text), e.to_string()))?;
        let protocol = match url.scheme() {
            "ftp" => Protocol::Ftp,
            "ftpes" => Protocol::ExplicitTls,
            "ftps" => Protocol::ImplicitTls,
            _ => return Err(UrlError::Scheme(redact(text))),
        };
        let host = match url.host() {
            Some(url::Host::Domain(d)) => d.to_owned(),
            Some(url::Host::Ipv4(ip)) => ip.to_string(),
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            None => return Err(UrlError::NoHost(redact(text))),
        };
        if host.is_empty() {
            return Err(UrlError::NoHost(redact(text)));
        }
        let mut site = Site::new(host, protocol);
        // The url crate drops a scheme's default port only for ftp (21); keep whatever is there.
        site.port = url.port().unwrap_or(protocol.default_port());
        if !url.username().is_empty() {
            site.user = Some(decode(url.username()));
        }
        if let Some(pass) = url.password() {
            site.password = Some(Password::new(decode(pass)));
        }
        let raw_path = decode(url.path());
        Ok(Self {
            site,
            names_folder: raw_path.ends_with('/'),
            path: RemotePath::new(&raw_path),
        })
    }
}

/// The URL text with any password replaced by `****`, for error messages.
#[must_use]
pub fn redact(text: &str) -> String {
    let Some(scheme_end) = text.find("://") else {
        return text.to_owned();
    };
    let rest = &text[scheme_end + 3..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    match (authority.rfind('@'), authority.find(':')) {
        (Some(at), Some(colon)) if colon < at => format!(
            "{}{}:****{}",
            &text[..scheme_end + 3],
            &authority[..colon],
            &rest[at..]
        ),
        _ => text.to_owned(),
    }
}

fn decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_full_url() {
        let u = FtpUrl::parse("ftpes://ann:p%40ss@example.org:2121/www/my%20site/").unwrap();
        assert_eq!(u.site.host, "example.org");
        assert_eq!(u.site.port, 2121);
        assert_eq!(u.site.protocol, Protocol::ExplicitTls);
        assert_eq!(u.site.user.as_deref(), Some("ann"));
        assert_eq!(u.site.password.as_ref().map(Password::expose), Some("p@ss"));
        assert_eq!(u.path.as_str(), "/www/my site");
        assert!(u.names_folder);
    }

    #[test]
    fn defaults_and_schemes() {
        let u = FtpUrl::parse("ftps://h").unwrap();
        assert_eq!((u.site.port, u.site.user.clone()), (990, None));
        assert_eq!(u.site.login_user(), "anonymous");
        assert_eq!(FtpUrl::parse("ftp://h/a").unwrap().site.port, 21);
        assert_eq!(
            FtpUrl::parse("ftp://[::1]:21/").unwrap().site.authority(),
            "[::1]:21"
        );
        assert!(matches!(
            FtpUrl::parse("http://h/"),
            Err(UrlError::Scheme(_))
        ));
        assert!(FtpUrl::parse("not a url").is_err());
    }

    #[test]
    fn protocol_and_mode_serialize_as_their_names() {
        for protocol in [Protocol::Ftp, Protocol::ExplicitTls, Protocol::ImplicitTls] {
            let json = serde_json::to_string(&protocol).unwrap();
            assert_eq!(json, format!("\"{}\"", protocol.scheme()));
            assert_eq!(serde_json::from_str::<Protocol>(&json).unwrap(), protocol);
        }
        for mode in [
            DataMode::Auto,
            DataMode::Passive,
            DataMode::ExtendedPassive,
            DataMode::Active,
        ] {
            let json = serde_json::to_string(&mode).unwrap();
            assert_eq!(json, format!("\"{}\"", mode.as_str()));
            assert_eq!(serde_json::from_str::<DataMode>(&json).unwrap(), mode);
        }
        assert!(serde_json::from_str::<Protocol>("\"sftp\"").is_err());
    }

    #[test]
    fn redacts_password() {
        assert_eq!(redact("ftp://u:secret@h/x"), "ftp://u:****@h/x");
        assert_eq!(redact("ftp://u@h/x"), "ftp://u@h/x");
        let err = FtpUrl::parse("gopher://u:secret@h/")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("secret"), "{err}");
        assert!(!format!("{:?}", Password::new("secret")).contains("secret"));
    }
}
