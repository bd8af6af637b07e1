//! What to do when a transfer's target exists: the rule the user chose, decided with the
//! facts of both files (pure), and a free name for "rename".

pub use crate::model::path::numbered_name;
use crate::protocol::ExistingTarget;

/// Size and modification time of one side of a transfer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FileFacts {
    /// Bytes, when known.
    pub size: Option<u64>,
    /// Unix seconds, when known.
    pub modified: Option<i64>,
}

/// The rule applied to an existing target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolved {
    /// Stop with an error naming the file (the front end may ask the user).
    Refuse,
    /// Replace the target.
    Replace,
    /// Continue from the target's length.
    Resume,
    /// Leave the target alone.
    Skip,
    /// Transfer under a free name beside the target.
    Rename,
}

/// Decides what `rule` means for a target with `target` facts when the source has `source`.
/// "If newer" replaces only when the source is known to be newer; "if the size differs" only
/// when both sizes are known and differ; otherwise the target is kept.
#[must_use]
pub fn resolve(rule: ExistingTarget, source: FileFacts, target: FileFacts) -> Resolved {
    match rule {
        ExistingTarget::Refuse => Resolved::Refuse,
        ExistingTarget::Overwrite => Resolved::Replace,
        ExistingTarget::Resume => Resolved::Resume,
        ExistingTarget::Skip => Resolved::Skip,
        ExistingTarget::Rename => Resolved::Rename,
        ExistingTarget::OverwriteIfNewer => match (source.modified, target.modified) {
            (Some(s), Some(t)) if s > t => Resolved::Replace,
            _ => Resolved::Skip,
        },
        ExistingTarget::OverwriteIfSizeDiffers => match (source.size, target.size) {
            (Some(s), Some(t)) if s != t => Resolved::Replace,
            _ => Resolved::Skip,
        },
    }
}

/// How many numbered names are tried before giving up.
pub const RENAME_TRIES: u32 = 1000;

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(size: u64, modified: i64) -> FileFacts {
        FileFacts {
            size: Some(size),
            modified: Some(modified),
        }
    }

    #[test]
    fn if_newer_replaces_only_an_older_target() {
        let rule = ExistingTarget::OverwriteIfNewer;
        assert_eq!(
            resolve(rule, facts(1, 200), facts(1, 100)),
            Resolved::Replace
        );
        assert_eq!(resolve(rule, facts(1, 100), facts(1, 200)), Resolved::Skip);
        assert_eq!(resolve(rule, facts(1, 100), facts(1, 100)), Resolved::Skip);
        assert_eq!(
            resolve(rule, FileFacts::default(), facts(1, 100)),
            Resolved::Skip,
            "unknown time: keep the target"
        );
    }

    #[test]
    fn if_size_differs_replaces_only_a_different_size() {
        let rule = ExistingTarget::OverwriteIfSizeDiffers;
        assert_eq!(resolve(rule, facts(5, 1), facts(4, 1)), Resolved::Replace);
        assert_eq!(resolve(rule, facts(5, 1), facts(5, 9)), Resolved::Skip);
    }
}
