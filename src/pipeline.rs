//! Parallel work with a sequential commit: items are processed on every core (rayon) while one
//! thread commits finished results in batches, so no core waits for a journal fsync and no
//! batch waits for its slowest item.

use rayon::prelude::*;

/// Runs `work` on every item in parallel and hands the results, in completion order, to
/// `commit` in batches of at most `batch` (smaller when results arrive slower than commits).
/// After the first commit error, remaining results are dropped and that error is returned.
pub fn run<T, O, E>(
    items: &[T],
    batch: usize,
    work: impl Fn(&T) -> O + Sync,
    mut commit: impl FnMut(Vec<O>) -> Result<(), E> + Send,
) -> Result<(), E>
where
    T: Sync,
    O: Send,
    E: Send,
{
    let batch = batch.max(1);
    // Bounded, so finished results cannot pile up faster than they are committed.
    let (tx, rx) = std::sync::mpsc::sync_channel::<O>(batch * 2);
    std::thread::scope(|scope| {
        let committer = scope.spawn(move || {
            let mut result = Ok(());
            while let Ok(first) = rx.recv() {
                let mut pending = vec![first];
                while pending.len() < batch {
                    match rx.try_recv() {
                        Ok(o) => pending.push(o),
                        Err(_) => break,
                    }
                }
                if result.is_ok() {
                    result = commit(pending);
                }
            }
            result
        });
        // Bridged rather than split: workers take items in order, so results arrive roughly in
        // input order and progress moves steadily.
        items.iter().par_bridge().for_each_with(tx, |tx, item| {
            // The receiver lives until every sender is gone; a send cannot fail before then.
            let _ = tx.send(work(item));
        });
        match committer.join() {
            Ok(result) => result,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_result_is_committed_once_in_bounded_batches() {
        let items: Vec<u32> = (0..1000).collect();
        let mut seen = Vec::new();
        let mut batches = 0;
        run(
            &items,
            16,
            |i| i * 2,
            |b: Vec<u32>| {
                assert!(!b.is_empty() && b.len() <= 16);
                batches += 1;
                seen.extend(b);
                Ok::<_, ()>(())
            },
        )
        .unwrap();
        seen.sort();
        assert_eq!(seen, items.iter().map(|i| i * 2).collect::<Vec<_>>());
        assert!(batches >= 1000 / 16);
    }

    #[test]
    fn a_commit_error_is_returned() {
        let items: Vec<u32> = (0..100).collect();
        let err = run(&items, 8, |i| *i, |_b: Vec<u32>| Err("disk full")).unwrap_err();
        assert_eq!(err, "disk full");
    }
}
