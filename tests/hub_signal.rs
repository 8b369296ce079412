//! Signals as hub events (`hub::signal`). Signals belong to the process, so these tests have
//! their binary to themselves, and each uses a signal no other test here uses (a signal sent
//! in one test reaches every registration alive for it, in any test).

use std::cell::Cell;
use std::io;
use std::rc::Rc;
use std::time::Duration;

use corogen::hub::signal::{self, Signals, signal_handler};
use corogen::hub::{self, Elapsed, Hub, with_timeout};

#[test]
fn a_task_awaits_a_signal_the_process_sends_itself() {
    let hub = Hub::new();
    let got = hub.block_on(async {
        let mut signals = Signals::new([signal::SIGUSR1, signal::SIGUSR2]).unwrap();
        // Sent later, from a timer: the hub blocks in its poller meanwhile.
        hub::spawn(async {
            hub::sleep(Duration::from_millis(10)).await;
            signal::raise(signal::SIGUSR2).unwrap();
        });
        let first = signals.recv().await.unwrap();
        // Coalesced while nobody reads: two deliveries, one wake.
        signal::raise(signal::SIGUSR1).unwrap();
        signal::raise(signal::SIGUSR1).unwrap();
        let second = signals.recv().await.unwrap();
        let third = with_timeout(Duration::from_millis(20), signals.recv()).await;
        (first, second, third.is_err())
    });
    assert_eq!(got, (signal::SIGUSR2, signal::SIGUSR1, true));
}

#[test]
fn a_signal_from_another_thread_wakes_the_hub() {
    let hub = Hub::new();
    let mut signals = Signals::new([signal::SIGWINCH]).unwrap();
    let sender = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(20));
        // Delivered to that thread: its handler writes to every registration's pipe.
        signal::raise(signal::SIGWINCH).unwrap();
    });
    let got = hub.block_on(async {
        with_timeout(Duration::from_secs(20), signals.recv())
            .await
            .unwrap()
    });
    assert_eq!(got.unwrap(), signal::SIGWINCH);
    sender.join().unwrap();
}

/// Every registration alive for a signal gets it: two hubs on two threads, one kill.
#[test]
fn every_hub_with_a_registration_gets_the_signal() {
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let ready = ready_tx.clone();
            std::thread::spawn(move || {
                let hub = Hub::new();
                let mut signals = Signals::new([signal::SIGCONT]).unwrap();
                ready.send(()).unwrap();
                hub.block_on(async {
                    with_timeout(Duration::from_secs(20), signals.recv())
                        .await
                        .map(Result::unwrap)
                })
            })
        })
        .collect();
    ready_rx.recv().unwrap();
    ready_rx.recv().unwrap();
    // Delivered to this thread, which has no hub: both hubs' registrations get it.
    signal::raise(signal::SIGCONT).unwrap();
    for thread in threads {
        assert_eq!(thread.join().unwrap(), Ok(signal::SIGCONT));
    }
}

#[test]
fn a_signal_handler_runs_in_a_task_and_does_not_keep_the_hub_running() {
    let hub = Hub::new();
    let calls = Rc::new(Cell::new(0));
    let handler = hub.block_on({
        let calls = Rc::clone(&calls);
        async move { signal_handler(signal::SIGHUP, move || calls.set(calls.get() + 1)).unwrap() }
    });
    assert_eq!(handler.signalnum(), signal::SIGHUP);
    // Sent while the hub is not running: handled at its next run, which then returns.
    signal::raise(signal::SIGHUP).unwrap();
    hub.run();
    assert_eq!(calls.get(), 1);
    assert!(!handler.task().dead());
    hub.spawn(async {
        for _ in 0..2 {
            signal::raise(signal::SIGHUP).unwrap();
            hub::sleep(Duration::from_millis(5)).await;
        }
    });
    hub.run();
    assert_eq!(calls.get(), 3);
    // Cancelled: no more calls, and the registration is gone.
    handler.cancel();
    assert!(handler.task().dead());
    signal::raise(signal::SIGHUP).unwrap();
    hub.run();
    assert_eq!(calls.get(), 3);
}

#[test]
#[cfg(panic = "unwind")]
fn a_handler_that_panics_ends_and_keeps_its_panic() {
    let hub = Hub::new();
    let handler = hub
        .block_on(async { signal_handler(signal::SIGALRM, || panic!("handler failed")).unwrap() });
    signal::raise(signal::SIGALRM).unwrap();
    hub.run();
    assert!(handler.task().exception().is_some());
}

#[test]
fn a_wait_for_a_signal_times_out_and_a_kill_gives_it_up() {
    let hub = Hub::new();
    let mut signals = Signals::new([signal::SIGTSTP]).unwrap();
    let timed_out =
        hub.block_on(async { with_timeout(Duration::from_millis(10), signals.recv()).await });
    assert!(matches!(timed_out, Err(Elapsed)));
    let waiter = hub.spawn(async move { signals.recv().await });
    let killer = waiter.clone();
    hub.spawn(async move {
        hub::sleep(Duration::from_millis(5)).await;
        killer.kill();
    });
    // Returns: the killed task's wait is gone, nothing keeps the hub.
    hub.run();
    assert!(waiter.killed());
}

#[test]
fn signals_refuse_a_virtual_hub_and_the_signals_no_one_can_handle() {
    let hub = Hub::new_virtual();
    let mut signals = Signals::new([signal::SIGQUIT]).unwrap();
    let error = hub.block_on(signals.recv()).unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::Unsupported);
    let error = hub
        .block_on(async { signal_handler(signal::SIGQUIT, || {}).map(drop) })
        .unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::Unsupported);
    let error = Signals::new([9]).unwrap_err(); // SIGKILL
    assert_eq!(error.kind(), io::ErrorKind::InvalidInput);
    // Nothing pending, and a check needs no hub.
    assert_eq!(signals.try_recv().unwrap(), None);
}
