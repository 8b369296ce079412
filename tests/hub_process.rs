//! Cooperative child processes (`hub::process`): while a task waits for a child or its pipes,
//! the hub runs the others. Ordinary programs only: `sh`, `cat`, `sleep`, `true`, `false`.

use std::cell::Cell;
use std::io;
use std::rc::Rc;
use std::time::{Duration, Instant};

use corogen::hub::process::{Command, Stdio};
use corogen::hub::{self, Elapsed, Hub, with_timeout};

/// The test's work, bounded: a hang fails instead of stalling the suite.
fn run<T: 'static>(future: impl std::future::Future<Output = T>) -> T {
    let hub = Hub::new();
    hub.block_on(async { with_timeout(Duration::from_secs(20), future).await })
        .expect("the test ran for 20 s")
}

#[test]
fn status_reports_success_failure_and_exit_codes() {
    let (yes, no, three) = run(async {
        let yes = Command::new("true").status().await.unwrap();
        let no = Command::new("false").status().await.unwrap();
        let three = Command::new("sh")
            .args(["-c", "exit 3"])
            .status()
            .await
            .unwrap();
        (yes, no, three)
    });
    assert!(yes.success());
    assert!(!no.success());
    assert_eq!(three.code(), Some(3));
}

#[test]
fn other_tasks_run_while_a_task_waits_for_a_child() {
    let ticks = Rc::new(Cell::new(0));
    let status = run({
        let ticks = Rc::clone(&ticks);
        async move {
            hub::spawn(async move {
                loop {
                    hub::sleep(Duration::from_millis(10)).await;
                    ticks.set(ticks.get() + 1);
                }
            });
            Command::new("sleep").arg("0.5").status().await.unwrap()
        }
    });
    assert!(status.success());
    assert!(
        ticks.get() >= 5,
        "only {} ticks while the child slept",
        ticks.get()
    );
}

#[test]
fn many_children_wait_at_once() {
    let start = Instant::now();
    let statuses = run(async {
        let children: Vec<_> = (0..8)
            .map(|i| {
                hub::spawn(async move {
                    Command::new("sh")
                        .args(["-c", &format!("sleep 0.5; exit {i}")])
                        .status()
                        .await
                        .unwrap()
                        .code()
                })
            })
            .collect();
        let mut codes = Vec::new();
        for child in children {
            codes.push(child.get().await.unwrap());
        }
        codes
    });
    assert_eq!(statuses, (0..8).map(Some).collect::<Vec<_>>());
    // In parallel, not one after another (4 s), and more than the blocking pool's threads; the
    // margin is for a loaded CI machine.
    assert!(
        start.elapsed() < Duration::from_millis(3000),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn output_collects_stdout_and_stderr() {
    let output = run(async {
        Command::new("sh")
            .args(["-c", "echo out; echo err >&2; exit 2"])
            .output()
            .await
            .unwrap()
    });
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(output.stdout, b"out\n");
    assert_eq!(output.stderr, b"err\n");
}

#[test]
fn output_reads_both_pipes_at_once_past_their_buffers() {
    // 1 MiB on each: reading one pipe to its end before the other would deadlock.
    let script = "head -c 1048576 /dev/zero; head -c 1048576 /dev/zero >&2";
    let output = run(async {
        Command::new("sh")
            .args(["-c", script])
            .output()
            .await
            .unwrap()
    });
    assert!(output.status.success());
    assert_eq!(
        (output.stdout.len(), output.stderr.len()),
        (1 << 20, 1 << 20)
    );
}

#[test]
fn a_child_is_written_to_and_read_from_through_its_pipes() {
    let payload: Vec<u8> = (0..2_000_000u32).map(|i| (i % 251) as u8).collect();
    let expected = payload.clone();
    let echoed = run(async move {
        let mut child = Command::new("cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        // The writer and the reader are two tasks: cat's pipes hold far less than the payload.
        let writer = hub::spawn(async move {
            stdin.write_all(&payload).await.unwrap();
        });
        let mut echoed = Vec::new();
        child
            .stdout
            .as_ref()
            .unwrap()
            .read_to_end(&mut echoed)
            .await
            .unwrap();
        writer.get().await.unwrap();
        assert!(child.wait().await.unwrap().success());
        echoed
    });
    assert!(echoed == expected, "cat's output differs");
}

#[test]
fn wait_with_output_and_read_to_string() {
    let (text, output) = run(async {
        let child = Command::new("sh")
            .args(["-c", "printf 'héllo'"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut text = String::new();
        child
            .stdout
            .as_ref()
            .unwrap()
            .read_to_string(&mut text)
            .await
            .unwrap();
        let output = Command::new("sh")
            .args(["-c", "printf done"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap()
            .wait_with_output()
            .await
            .unwrap();
        (text, output)
    });
    assert_eq!(text, "héllo");
    assert_eq!(output.stdout, b"done");
    assert!(output.stderr.is_empty());
}

#[test]
fn a_wait_times_out_and_the_child_is_killed_and_reaped() {
    let (timed_out, status) = run(async {
        let mut child = Command::new("sleep").arg("30").spawn().unwrap();
        let timed_out = with_timeout(Duration::from_millis(50), child.wait()).await;
        assert!(child.try_wait().unwrap().is_none());
        child.kill().unwrap();
        (timed_out.map(drop), child.wait().await.unwrap())
    });
    assert_eq!(timed_out, Err(Elapsed));
    assert!(!status.success() && status.code().is_none()); // killed by a signal
}

#[test]
#[expect(
    clippy::await_holding_refcell_ref,
    reason = "the child is borrowed again only once the waiting task is dead"
)]
fn a_task_killed_while_waiting_leaves_the_child_to_another_wait() {
    let hub = Hub::new();
    let child = Rc::new(std::cell::RefCell::new(
        Command::new("sleep").arg("30").spawn().unwrap(),
    ));
    let waiter = hub.spawn({
        let child = Rc::clone(&child);
        async move {
            let mut child = child.borrow_mut();
            child.wait().await
        }
    });
    hub.spawn({
        let waiter = waiter.clone();
        async move {
            hub::sleep(Duration::from_millis(20)).await;
            waiter.kill();
        }
    });
    // Returns: the killed wait is gone from the poller, nothing else keeps the hub.
    hub.run();
    assert!(waiter.killed());
    let mut child = child.borrow_mut();
    child.kill().unwrap();
    let status = hub.block_on(child.wait()).unwrap();
    assert!(!status.success());
}

#[test]
#[cfg(panic = "unwind")]
fn a_task_that_panics_holding_a_child_and_its_pipes_leaves_the_hub_whole() {
    let hub = Hub::new();
    let pid = Rc::new(Cell::new(0));
    let task = hub.spawn({
        let pid = Rc::clone(&pid);
        async move {
            let child = Command::new("cat")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap();
            pid.set(child.id());
            // Registered with the poller: a wait on the pipe, given up by a timeout.
            let mut buf = [0; 8];
            let stdout = child.stdout.as_ref().unwrap();
            let read = with_timeout(Duration::from_millis(10), stdout.read(&mut buf)).await;
            assert!(read.is_err());
            panic!("holding a child");
        }
    });
    hub.run();
    assert!(task.exception().is_some() && pid.get() != 0);
    // The hub goes on: nothing of the dropped child is left in its poller.
    let status = hub.block_on(Command::new("true").status()).unwrap();
    assert!(status.success());
    assert_eq!(hub.live_tasks(), 0);
}

#[test]
fn a_program_that_does_not_exist_is_named_in_the_error() {
    let error = Command::new("corogen-no-such-program").spawn().unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::NotFound);
    assert!(
        error.to_string().contains("corogen-no-such-program"),
        "{error}"
    );
}

#[test]
fn waiting_on_a_virtual_hub_is_unsupported_unless_the_child_exited() {
    let hub = Hub::new_virtual();
    let mut child = Command::new("sleep").arg("30").spawn().unwrap();
    let error = hub.block_on(child.wait()).unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::Unsupported);
    child.kill().unwrap();
    // Reaped (std's blocking wait, off the hub), then a wait knows the status at once.
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    assert_eq!(hub.block_on(child.wait()).unwrap(), status);
}
