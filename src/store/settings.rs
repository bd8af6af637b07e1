//! The settings file (`settings.toml` beside the bookmarks): transfer connections, the default
//! data-connection mode, what to do with an existing target, speed limits, timestamps and the
//! theme. Versioned and written atomically like the bookmarks; a damaged file is kept aside.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{StoreError, atomic};
pub use crate::model::appearance::Theme;
use crate::model::site::DataMode;

/// The file's name in the config folder.
pub const FILE_NAME: &str = "settings.toml";

/// The format this Skiff writes.
const FORMAT_VERSION: i64 = 1;

const WHAT: &str = "the settings file";

/// What to do when a transfer's target exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OnExisting {
    /// Ask each time.
    #[default]
    Ask,
    /// Replace it.
    Overwrite,
    /// Replace it when the source is newer.
    OverwriteIfNewer,
    /// Replace it when the sizes differ.
    OverwriteIfSizeDiffers,
    /// Continue it.
    Resume,
    /// Transfer under a free name.
    Rename,
    /// Leave it.
    Skip,
}

/// Everything the settings file holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Files moved at once (1 to 10).
    pub connections: usize,
    /// The data-connection mode of quick connections.
    pub data_mode: DataMode,
    /// What to do when a target exists.
    pub on_existing: OnExisting,
    /// Download limit in KiB/s (0: none).
    pub download_limit_kib: u64,
    /// Upload limit in KiB/s (0: none).
    pub upload_limit_kib: u64,
    /// Keep modification times.
    pub keep_times: bool,
    /// The window's theme.
    pub theme: Theme,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            connections: 2,
            data_mode: DataMode::Auto,
            on_existing: OnExisting::Ask,
            download_limit_kib: 0,
            upload_limit_kib: 0,
            keep_times: true,
            theme: Theme::System,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct File {
    version: i64,
    #[serde(flatten)]
    settings: Settings,
}

/// Where the settings live: beside the bookmarks (`SKIFF_CONFIG_DIR` overrides the folder).
#[must_use]
pub fn default_path() -> Option<PathBuf> {
    super::sites::default_path().map(|p| p.with_file_name(FILE_NAME))
}

/// Reads the settings: defaults when the file is missing; a damaged file is moved aside and
/// reported; one from a newer Skiff is left in place and reported.
pub fn load(path: &Path) -> Result<Settings, StoreError> {
    let Some(bytes) = atomic::read(path, WHAT)? else {
        return Ok(Settings::default());
    };
    let parsed = std::str::from_utf8(&bytes)
        .map_err(|e| e.to_string())
        .and_then(|text| toml::from_str::<File>(text).map_err(|e| e.message().to_owned()));
    match parsed {
        Ok(file) if file.version > FORMAT_VERSION => Err(StoreError::Newer {
            what: WHAT,
            path: path.to_path_buf(),
            version: u64::try_from(file.version).unwrap_or(u64::MAX),
        }),
        Ok(file) => Ok(file.settings),
        Err(detail) => Err(atomic::damaged(path, WHAT, detail)),
    }
}

/// Writes the settings atomically.
pub fn save(path: &Path, settings: &Settings) -> Result<(), StoreError> {
    let file = File {
        version: FORMAT_VERSION,
        settings: settings.clone(),
    };
    let text = toml::to_string(&file).map_err(|e| StoreError::Write {
        what: WHAT,
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    })?;
    atomic::write(path, text.as_bytes(), WHAT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_and_default_when_missing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        assert_eq!(load(&path).unwrap(), Settings::default());
        let settings = Settings {
            connections: 6,
            data_mode: DataMode::Passive,
            on_existing: OnExisting::OverwriteIfNewer,
            download_limit_kib: 512,
            upload_limit_kib: 64,
            keep_times: false,
            theme: Theme::Light,
        };
        save(&path, &settings).unwrap();
        assert_eq!(load(&path).unwrap(), settings);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("version = 1") && text.contains("overwrite-if-newer"));
    }

    #[test]
    fn a_damaged_settings_file_is_kept_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        std::fs::write(&path, "connections = [oops").unwrap();
        let err = load(&path).unwrap_err().to_string();
        assert!(err.contains("settings"), "{err}");
        let kept: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with("settings.toml.bak-")
            })
            .collect();
        assert_eq!(kept.len(), 1);
        assert_eq!(
            std::fs::read_to_string(kept[0].path()).unwrap(),
            "connections = [oops"
        );
    }
}
