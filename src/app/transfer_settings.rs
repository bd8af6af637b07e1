//! The transfer settings as the window keeps them (connections, the default data-connection
//! mode, the answer to an existing target, speed limits, keeping times, the theme) and as
//! `settings.toml` stores them.

use crate::protocol::ExistingTarget;

/// The settings (kept in `settings.toml`): transfers, the default data-connection mode and
/// the theme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferSettings {
    /// The data-connection mode of quick connections.
    pub data_mode: crate::model::site::DataMode,
    /// The window's theme.
    pub theme: crate::store::settings::Theme,
    /// Files moved at once, each on its own connection (1 to 10).
    pub connections: usize,
    /// What to do when a target exists; `Refuse` means ask.
    pub existing: ExistingTarget,
    /// Keep modification times.
    pub keep_times: bool,
    /// Download limit in KiB/s (0: none).
    pub download_limit_kib: u64,
    /// Upload limit in KiB/s (0: none).
    pub upload_limit_kib: u64,
}

impl Default for TransferSettings {
    fn default() -> Self {
        Self {
            data_mode: crate::model::site::DataMode::Auto,
            theme: crate::store::settings::Theme::System,
            connections: 2,
            existing: ExistingTarget::Refuse,
            keep_times: true,
            download_limit_kib: 0,
            upload_limit_kib: 0,
        }
    }
}

impl TransferSettings {
    /// The settings as the settings file has them.
    #[must_use]
    pub fn from_file(file: &crate::store::settings::Settings) -> Self {
        use crate::store::settings::OnExisting;
        Self {
            data_mode: file.data_mode,
            theme: file.theme,
            connections: file.connections.clamp(1, 10),
            existing: match file.on_existing {
                OnExisting::Ask => ExistingTarget::Refuse,
                OnExisting::Overwrite => ExistingTarget::Overwrite,
                OnExisting::OverwriteIfNewer => ExistingTarget::OverwriteIfNewer,
                OnExisting::OverwriteIfSizeDiffers => ExistingTarget::OverwriteIfSizeDiffers,
                OnExisting::Resume => ExistingTarget::Resume,
                OnExisting::Rename => ExistingTarget::Rename,
                OnExisting::Skip => ExistingTarget::Skip,
            },
            keep_times: file.keep_times,
            download_limit_kib: file.download_limit_kib,
            upload_limit_kib: file.upload_limit_kib,
        }
    }

    /// The settings as the settings file keeps them.
    #[must_use]
    pub fn to_file(&self) -> crate::store::settings::Settings {
        use crate::store::settings::{OnExisting, Settings};
        Settings {
            connections: self.connections,
            data_mode: self.data_mode,
            on_existing: match self.existing {
                ExistingTarget::Refuse => OnExisting::Ask,
                ExistingTarget::Overwrite => OnExisting::Overwrite,
                ExistingTarget::OverwriteIfNewer => OnExisting::OverwriteIfNewer,
                ExistingTarget::OverwriteIfSizeDiffers => OnExisting::OverwriteIfSizeDiffers,
                ExistingTarget::Resume => OnExisting::Resume,
                ExistingTarget::Rename => OnExisting::Rename,
                ExistingTarget::Skip => OnExisting::Skip,
            },
            download_limit_kib: self.download_limit_kib,
            upload_limit_kib: self.upload_limit_kib,
            keep_times: self.keep_times,
            theme: self.theme,
        }
    }
}
