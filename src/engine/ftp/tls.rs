//! TLS for FTPS: a rustls client configuration (ring provider) that trusts the system's root
//! certificates and the one certificate the user trusted for the host, or anything with
//! `insecure`; a refused certificate is kept for the prompt (subject, issuer, validity,
//! SHA-256). Control and data connections of one session share
//! one configuration, so data connections resume the control connection's TLS session (vsftpd's
//! `require_ssl_reuse`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::engine::error::{EngineError, EngineResult};
use crate::model::site::Site;
use crate::protocol::CertificateInfo;

/// What a connection's certificate checks saw: the refused certificate for the error when the
/// handshake fails, the last certificate checked and why it was trusted (for the doctor), and
/// how many full handshakes were made (a resumed TLS session shows no certificate, so a data
/// connection that leaves the count alone resumed the control connection's session).
#[derive(Debug, Default)]
pub struct TrustCheck {
    refused: Mutex<Option<CertificateInfo>>,
    seen: Mutex<Option<SeenCertificate>>,
    full_handshakes: AtomicUsize,
}

/// A certificate a server showed and the verdict on it.
#[derive(Debug, Clone)]
pub struct SeenCertificate {
    /// Subject, issuer, validity, fingerprint.
    pub info: CertificateInfo,
    /// Why it was trusted, or why not, in words.
    pub trust: String,
    /// It was trusted.
    pub trusted: bool,
}

impl TrustCheck {
    /// The certificate that was refused, if one was.
    pub fn refused(&self) -> Option<CertificateInfo> {
        self.refused.lock().ok().and_then(|mut seen| seen.take())
    }

    /// The last certificate checked, trusted or not.
    pub fn seen(&self) -> Option<SeenCertificate> {
        self.seen.lock().ok().and_then(|seen| seen.clone())
    }

    /// How many handshakes showed a certificate (resumed sessions show none).
    pub fn full_handshakes(&self) -> usize {
        self.full_handshakes.load(Ordering::SeqCst)
    }

    fn record(&self, info: CertificateInfo, trusted: bool, trust: String) {
        self.full_handshakes.fetch_add(1, Ordering::SeqCst);
        if !trusted && let Ok(mut refused) = self.refused.lock() {
            *refused = Some(info.clone());
        }
        if let Ok(mut seen) = self.seen.lock() {
            *seen = Some(SeenCertificate {
                info,
                trust,
                trusted,
            });
        }
    }
}

/// The TLS client configuration for one connection to `site`: certificates verified against
/// the system's roots, or the one the user trusts for this host and port
/// (`site.trusted_certificate`), or, with `insecure`, any. The check's verdict on a refused
/// certificate is in the returned [`TrustCheck`].
pub fn client_config(site: &Site) -> EngineResult<(Arc<ClientConfig>, Arc<TrustCheck>)> {
    let check = Arc::new(TrustCheck::default());
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| EngineError::Tls(e.to_string()))?;
    let verifier: Arc<dyn ServerCertVerifier> = if site.insecure {
        Arc::new(AcceptAnyCertificate {
            provider: provider(),
            host: site.host.clone(),
            port: site.port,
            check: Arc::clone(&check),
        })
    } else {
        Arc::new(PinningVerifier {
            system: system_verifier()?,
            pinned: site.trusted_certificate.clone(),
            host: site.host.clone(),
            port: site.port,
            check: Arc::clone(&check),
        })
    };
    let config = builder
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok((Arc::new(config), check))
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The verifier over the system's roots (loaded once).
fn system_verifier() -> EngineResult<Arc<WebPkiServerVerifier>> {
    static VERIFIER: OnceLock<Arc<WebPkiServerVerifier>> = OnceLock::new();
    if let Some(v) = VERIFIER.get() {
        return Ok(Arc::clone(v));
    }
    let mut roots = RootCertStore::empty();
    let found = rustls_native_certs::load_native_certs();
    let (added, _ignored) = roots.add_parsable_certificates(found.certs);
    if added == 0 {
        return Err(EngineError::Tls(
            "no trusted root certificates found on this system (install ca-certificates), \
             or use --insecure to accept the server's certificate unchecked"
                .to_owned(),
        ));
    }
    let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider())
        .build()
        .map_err(|e| EngineError::Tls(e.to_string()))?;
    Ok(Arc::clone(VERIFIER.get_or_init(|| verifier)))
}

/// The lowercase hex SHA-256 of a certificate.
#[must_use]
pub fn sha256_hex(der: &[u8]) -> String {
    use std::fmt::Write;
    let digest = ring::digest::digest(&ring::digest::SHA256, der);
    digest.as_ref().iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// Subject, issuer, validity and fingerprint of a certificate `host:port` showed.
fn certificate_info(der: &[u8], host: &str, port: u16) -> CertificateInfo {
    let (subject, issuer, not_before, not_after) = match x509_parser::parse_x509_certificate(der) {
        Ok((_, cert)) => (
            cert.subject().to_string(),
            cert.issuer().to_string(),
            cert.validity().not_before.timestamp(),
            cert.validity().not_after.timestamp(),
        ),
        Err(_) => ("(unreadable)".to_owned(), "(unreadable)".to_owned(), 0, 0),
    };
    CertificateInfo {
        host: host.to_owned(),
        port,
        subject,
        issuer,
        not_before,
        not_after,
        sha256: sha256_hex(der),
        changed: false,
        reason: String::new(),
    }
}

/// Trusts what the system's roots vouch for, and the one certificate the user trusted for this
/// host and port; records anything else for the prompt.
#[derive(Debug)]
struct PinningVerifier {
    system: Arc<WebPkiServerVerifier>,
    pinned: Option<String>,
    host: String,
    port: u16,
    check: Arc<TrustCheck>,
}

impl ServerCertVerifier for PinningVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let mut info = certificate_info(end_entity.as_ref(), &self.host, self.port);
        if self.pinned.as_deref() == Some(info.sha256.as_str()) {
            let trust = "trusted: you trusted this certificate".to_owned();
            self.check.record(info, true, trust);
            return Ok(ServerCertVerified::assertion());
        }
        let verdict = self.system.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        );
        match &verdict {
            Ok(_) => {
                let trust = "trusted: signed by an authority this system trusts".to_owned();
                self.check.record(info, true, trust);
            }
            Err(e) => {
                info.changed = self.pinned.is_some();
                info.reason = e.to_string();
                let trust = if info.changed {
                    format!("NOT trusted: it CHANGED since you trusted it ({e})")
                } else {
                    format!("NOT trusted ({e})")
                };
                self.check.record(info, false, trust);
            }
        }
        verdict
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.system.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.system.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.system.supported_verify_schemes()
    }
}

/// Turns a TLS failure into words: an untrusted certificate says how to proceed.
#[must_use]
pub fn explain(reason: &str) -> EngineError {
    if reason.contains("certificate") || reason.contains("UnknownIssuer") {
        EngineError::Tls(format!(
            "the server's certificate is not trusted ({reason}); if you know this server, \
             connect with --insecure"
        ))
    } else {
        EngineError::Tls(reason.to_owned())
    }
}

/// `--insecure`: accepts any certificate (signatures are still checked for consistency).
#[derive(Debug)]
struct AcceptAnyCertificate {
    provider: Arc<CryptoProvider>,
    host: String,
    port: u16,
    check: Arc<TrustCheck>,
}

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let info = certificate_info(end_entity.as_ref(), &self.host, self.port);
        let trust = "accepted unchecked (--insecure)".to_owned();
        self.check.record(info, true, trust);
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
