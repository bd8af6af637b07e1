//! Tests of the queue's state: pump order and limits, tabs and moves, saved queues.

use super::*;

fn file(name: &str) -> ScannedFile {
    ScannedFile {
        local: PathBuf::from("/tmp/in").join(name),
        remote: RemotePath::new("/www").join(name),
        size: Some(10),
        modified: None,
    }
}

fn ids() -> impl FnMut() -> RequestId {
    let mut n = 0;
    move || {
        n += 1;
        RequestId(n)
    }
}

#[test]
fn pump_hands_over_a_few_per_connection_in_order_and_only_for_the_site() {
    let mut q = QueueState::default();
    q.settings.connections = 1;
    q.push(Direction::Download, file("a"), "ftp://h");
    q.push(Direction::Download, file("elsewhere"), "ftp://other");
    for i in 0..SENT_PER_CONNECTION {
        q.push(Direction::Download, file(&format!("f{i}")), "ftp://h");
    }
    let mut next = ids();
    let sent = q.pump(SessionId(1), "ftp://h", &mut next);
    assert_eq!(sent.len(), SENT_PER_CONNECTION);
    let in_engine: Vec<String> = q
        .items
        .iter()
        .filter(|i| i.state.in_engine())
        .map(QueueItem::name)
        .take(2)
        .collect();
    assert_eq!(in_engine, ["a", "f0"], "in order, other sites left out");
    assert!(
        q.pump(SessionId(1), "ftp://h", &mut next).is_empty(),
        "full"
    );
    q.set_state(q.items[0].id, ItemState::Done);
    let more = q.pump(SessionId(1), "ftp://h", &mut next);
    assert_eq!(more.len(), 1, "a free place takes the next item");
    q.running = false;
    q.set_state(q.items[2].id, ItemState::Done);
    assert!(
        q.pump(SessionId(1), "ftp://h", &mut next).is_empty(),
        "paused"
    );
}

#[test]
fn tabs_count_and_moves_reorder() {
    let mut q = QueueState::default();
    let a = q.push(Direction::Upload, file("a"), "s");
    let b = q.push(Direction::Upload, file("b"), "s");
    let c = q.push(Direction::Upload, file("c"), "s");
    q.set_state(a, ItemState::Done);
    q.set_state(b, ItemState::Failed("x".into()));
    assert_eq!(q.counts(), [1, 1, 1]);
    q.move_item(c, true);
    assert_eq!(q.items[0].id, c);
    q.move_item(c, false);
    assert_eq!(q.items[2].id, c);
    q.retry_failed();
    assert_eq!(q.item(b).unwrap().state, ItemState::Queued);
    assert!(q.item(b).unwrap().resume, "a retry continues");
    q.clear_successful();
    assert!(q.item(a).is_none());
}

#[test]
fn saved_queues_keep_pending_and_failed_items_once() {
    let mut q = QueueState::default();
    let a = q.push(Direction::Download, file("a"), "s");
    let b = q.push(Direction::Download, file("b"), "s");
    let c = q.push(Direction::Download, file("c"), "s");
    q.set_state(a, ItemState::Done);
    q.set_state(b, ItemState::Failed("550 gone".into()));
    q.set_state(c, ItemState::Running(RequestId(4)));
    let saved = q.to_saved();
    assert_eq!(saved.len(), 2);
    let back = QueueState::from_saved(saved);
    let states: Vec<(String, ItemState)> = back
        .items
        .iter()
        .map(|i| (i.name(), i.state.clone()))
        .collect();
    assert_eq!(
        states,
        [
            ("b".to_owned(), ItemState::Failed("550 gone".into())),
            ("c".to_owned(), ItemState::Queued)
        ]
    );
}
