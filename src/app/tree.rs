//! `FolderTree`: a pane's lazily expanded folder tree as plain data. A folder's children are
//! known once it has been listed (by the table or by expanding it in the tree); until then only
//! the folders on the way to the pane's path are shown. Pure: the reducer fills it from
//! listings, `actions` asks for the listings it lacks.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use crate::app::state::Side;
use crate::model::path::RemotePath;

/// One folder the tree knows about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct TreeNode {
    /// Names of its sub-folders known so far (all of them once `listed`).
    children: BTreeSet<String>,
    /// Its listing has arrived, so `children` is complete.
    listed: bool,
    /// A listing for the tree is on its way.
    loading: bool,
}

/// A row of the tree as drawn: one visible folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeRow {
    /// The folder's full path.
    pub path: String,
    /// Its name (the root shows its whole path).
    pub name: String,
    /// How deep it is (the root is 0).
    pub depth: usize,
    /// Its sub-folders are shown.
    pub expanded: bool,
    /// A listing for it is on its way.
    pub loading: bool,
    /// Listed and without sub-folders: nothing to expand.
    pub leaf: bool,
}

/// The folder tree of one pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderTree {
    side: Side,
    root: Option<String>,
    nodes: HashMap<String, TreeNode>,
    expanded: BTreeSet<String>,
    /// The visible rows, rebuilt after a change.
    rows: Option<Vec<TreeRow>>,
}

impl FolderTree {
    /// An empty tree for the pane on `side`.
    #[must_use]
    pub fn new(side: Side) -> Self {
        Self {
            side,
            root: None,
            nodes: HashMap::new(),
            expanded: BTreeSet::new(),
            rows: None,
        }
    }

    /// `path`'s parent folder, or `None` at the root.
    fn parent(&self, path: &str) -> Option<String> {
        match self.side {
            Side::Remote => {
                let p = RemotePath::new(path);
                (!p.is_root()).then(|| p.parent().to_string())
            }
            Side::Local => Path::new(path).parent().map(|p| p.display().to_string()),
        }
    }

    /// The path of `name` inside `folder`.
    fn child(&self, folder: &str, name: &str) -> String {
        match self.side {
            Side::Remote => RemotePath::new(folder).join(name).to_string(),
            Side::Local => Path::new(folder).join(name).display().to_string(),
        }
    }

    /// The last component of `path`.
    fn name_of(&self, path: &str) -> Option<String> {
        match self.side {
            Side::Remote => RemotePath::new(path).file_name().map(str::to_owned),
            Side::Local => Path::new(path)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned()),
        }
    }

    /// Shows `path` in the tree: every folder on the way to it is added and expanded.
    pub fn reveal(&mut self, path: &str) {
        let mut chain = vec![path.to_owned()];
        while let Some(parent) = chain.last().and_then(|p| self.parent(p)) {
            if chain.last() == Some(&parent) {
                break; // a root that is its own parent
            }
            chain.push(parent);
        }
        let root = chain.last().cloned().unwrap_or_default();
        if self.root.as_deref() != Some(root.as_str()) {
            self.nodes.clear();
            self.expanded.clear();
            self.root = Some(root);
        }
        for pair in chain.windows(2) {
            let (child, parent) = (&pair[0], &pair[1]);
            if let Some(name) = self.name_of(child) {
                self.nodes
                    .entry(parent.clone())
                    .or_default()
                    .children
                    .insert(name);
            }
        }
        for folder in chain {
            self.nodes.entry(folder.clone()).or_default();
            self.expanded.insert(folder);
        }
        self.rows = None;
    }

    /// A listing of `path` arrived: its sub-folders are now known.
    pub fn listed(&mut self, path: &str, folders: impl IntoIterator<Item = String>) {
        if self.root.is_none() {
            self.reveal(path);
        }
        let node = self.nodes.entry(path.to_owned()).or_default();
        node.children = folders.into_iter().collect();
        node.listed = true;
        node.loading = false;
        self.rows = None;
    }

    /// A listing the tree asked for failed: `path` can be expanded again to retry.
    pub fn failed(&mut self, path: &str) {
        if let Some(node) = self.nodes.get_mut(path) {
            node.loading = false;
            self.rows = None;
        }
    }

    /// Expands or collapses `path`. True when it must be listed first (it is now marked
    /// loading, so a second click does not ask again).
    pub fn toggle(&mut self, path: &str) -> bool {
        self.rows = None;
        if self.expanded.remove(path) {
            return false;
        }
        self.expanded.insert(path.to_owned());
        let node = self.nodes.entry(path.to_owned()).or_default();
        if node.listed || node.loading {
            return false;
        }
        node.loading = true;
        true
    }

    /// The visible rows, top to bottom (cached until the tree changes).
    pub fn rows(&mut self) -> &[TreeRow] {
        if self.rows.is_none() {
            self.rows = Some(self.build_rows());
        }
        self.rows.as_deref().unwrap_or_default()
    }

    fn build_rows(&self) -> Vec<TreeRow> {
        let Some(root) = &self.root else {
            return Vec::new();
        };
        let mut rows = Vec::new();
        // Depth-first without recursion; children pushed in reverse so they come out sorted.
        let mut stack = vec![(root.clone(), root.clone(), 0usize)];
        while let Some((path, name, depth)) = stack.pop() {
            let node = self.nodes.get(&path);
            let expanded = self.expanded.contains(&path);
            if expanded && let Some(node) = node {
                let mut children: Vec<&String> = node.children.iter().collect();
                children.sort_by_key(|n| n.to_lowercase());
                for child in children.into_iter().rev() {
                    stack.push((self.child(&path, child), child.clone(), depth + 1));
                }
            }
            rows.push(TreeRow {
                leaf: node.is_some_and(|n| n.listed && n.children.is_empty()),
                loading: node.is_some_and(|n| n.loading),
                path,
                name,
                depth,
                expanded,
            });
        }
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(tree: &mut FolderTree) -> Vec<String> {
        tree.rows()
            .iter()
            .map(|r| format!("{}{}", " ".repeat(r.depth), r.name))
            .collect()
    }

    #[test]
    fn revealing_a_path_shows_the_way_to_it() {
        let mut tree = FolderTree::new(Side::Remote);
        tree.reveal("/www/site");
        assert_eq!(names(&mut tree), ["/", " www", "  site"]);
        tree.listed("/www", ["site".into(), "assets".into()]);
        assert_eq!(names(&mut tree), ["/", " www", "  assets", "  site"]);
    }

    #[test]
    fn expanding_an_unlisted_folder_asks_once_and_fills_in() {
        let mut tree = FolderTree::new(Side::Remote);
        tree.listed("/", ["b".into(), "A".into()]);
        assert_eq!(names(&mut tree), ["/", " A", " b"]);
        assert!(tree.toggle("/b"), "first expand needs a listing");
        assert!(!tree.toggle("/b"), "collapsing does not");
        assert!(!tree.toggle("/b"), "already loading: not asked twice");
        assert!(tree.rows()[2].loading);
        tree.listed("/b", ["c".into()]);
        assert_eq!(names(&mut tree), ["/", " A", " b", "  c"]);
        tree.listed("/b/c", Vec::new());
        assert!(tree.rows()[3].leaf, "listed and empty: nothing to expand");
        assert!(!tree.rows()[1].leaf, "not listed yet: may have children");
        tree.toggle("/b");
        assert_eq!(names(&mut tree), ["/", " A", " b"]);
    }

    #[test]
    fn a_failed_listing_can_be_retried() {
        let mut tree = FolderTree::new(Side::Remote);
        tree.listed("/", ["x".into()]);
        assert!(tree.toggle("/x"));
        tree.failed("/x");
        tree.toggle("/x");
        assert!(tree.toggle("/x"), "expanding again asks again");
    }

    #[cfg(unix)]
    #[test]
    fn local_paths_use_the_platform_separator() {
        let mut tree = FolderTree::new(Side::Local);
        tree.reveal("/home/ann");
        assert_eq!(names(&mut tree), ["/", " home", "  ann"]);
        assert_eq!(tree.rows()[2].path, "/home/ann");
    }
}
