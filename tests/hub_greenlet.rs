//! gevent's `test__greenlet.py`, ported: a task's life as its handle sees it, links, kills in
//! every state, `joinall`, `spawn_later`. All on the virtual clock: no wall time passes.

use corogen::hub::{self, Hub, Op, Reply, Task, TaskError, TaskRef, op};
use corogen::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

#[path = "support/hub_log.rs"]
mod hub_log;
use hub_log::{Log, entries, ms, push};

/// Links `task` so that each firing appends its id to the returned log.
fn link_log(task: &TaskRef) -> Rc<RefCell<Vec<u64>>> {
    let fired = Rc::new(RefCell::new(Vec::new()));
    let sink = fired.clone();
    task.link(move |task| sink.borrow_mut().push(task.id()));
    fired
}

// test_simple_exit: a task that sleeps then returns 5, seen before start, after start, while
// sleeping, and after finishing; its link fires exactly once.
#[test]
fn simple_exit() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let g: Task<i32> = hub::greenlet(async {
            hub::sleep(ms(10)).await;
            5
        });
        let fired = link_log(&g);
        assert!(!g.dead() && !g.started() && !g.ready() && !g.successful());
        assert_eq!((g.value(), g.exception()), (None, None));

        g.start();
        assert!(!g.dead() && g.started() && !g.ready() && !g.successful());
        assert_eq!((g.value(), g.exception()), (None, None));

        hub::sleep(ms(1)).await;
        assert!(!g.dead() && g.started() && !g.ready() && !g.successful());
        assert_eq!(g.value(), None);
        assert!(fired.borrow().is_empty());

        hub::sleep(ms(20)).await;
        assert!(g.dead() && !g.started() && g.ready() && g.successful());
        assert_eq!((g.value(), g.exception()), (Some(5), None));
        assert_eq!(*fired.borrow(), [g.id()]);

        hub::sleep(ms(20)).await;
        assert_eq!(*fired.borrow(), [g.id()], "a link fires once");
        assert_eq!(g.get().await, Ok(5));
        assert_eq!(g.get().await, Err(TaskError::Taken));
    });
}

// test_error_exit: a task that fails is dead, not successful, keeps its error, links once; the
// hub and the other tasks go on.
#[cfg(panic = "unwind")] // a task panics: wasm has no unwinding
#[test]
fn error_exit() {
    let hub = Hub::new_virtual();
    let bystander = hub.spawn(async {
        hub::sleep(ms(50)).await;
        "still here"
    });
    hub.block_on(async {
        let g: Task<i32> = hub::spawn(async {
            hub::sleep(ms(1)).await;
            panic!("test_error_exit");
        });
        let fired = link_log(&g);
        let exception_fired = Rc::new(RefCell::new(0));
        let value_fired = Rc::new(RefCell::new(0));
        let (e, v) = (exception_fired.clone(), value_fired.clone());
        g.link_exception(move |_| *e.borrow_mut() += 1);
        g.link_value(move |_| *v.borrow_mut() += 1);
        hub::sleep(ms(100)).await;
        assert!(g.dead() && !g.started() && g.ready() && !g.successful());
        assert_eq!(g.value(), None);
        assert_eq!(
            g.exception(),
            Some(TaskError::Panicked("test_error_exit".into()))
        );
        assert_eq!(*fired.borrow(), [g.id()]);
        assert_eq!((*exception_fired.borrow(), *value_fired.borrow()), (1, 0));
        assert_eq!(
            g.get().await,
            Err(TaskError::Panicked("test_error_exit".into()))
        );
    });
    assert_eq!(bystander.try_get(), Some(Ok("still here")));
}

// Links fire in the order they were linked, even after a joiner in front of them gave up: a
// dropped join used to swap the last link into its place, so the links fired out of order.
#[test]
fn links_keep_their_order_when_a_join_gives_up() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let g = hub::spawn(async { hub::sleep(ms(10)).await });
        let waiter = {
            let g = g.clone();
            hub::spawn(async move { hub::with_timeout(ms(1), g.join()).await.is_err() })
        };
        hub::sleep(Duration::ZERO).await; // the waiter's join is now g's first watcher
        let order = Rc::new(RefCell::new(Vec::new()));
        for n in 1..=3 {
            let order = order.clone();
            g.link(move |_| order.borrow_mut().push(n));
        }
        assert_eq!(waiter.get().await, Ok(true), "the join timed out");
        g.join().await;
        hub::sleep(Duration::ZERO).await;
        assert_eq!(*order.borrow(), [1, 2, 3]);
    });
}

// A link added after the task ended still fires, once.
#[test]
fn late_link_fires_once() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let g = hub::spawn(async { 1 });
        g.join().await;
        let fired = link_log(&g);
        assert!(
            fired.borrow().is_empty(),
            "links run from the loop, not inside link()"
        );
        hub::sleep(Duration::ZERO).await;
        assert_eq!(*fired.borrow(), [g.id()]);
        hub::sleep(ms(5)).await;
        assert_eq!(*fired.borrow(), [g.id()]);
    });
}

#[test]
fn joinall_three_values() {
    let hub = Hub::new_virtual();
    let values = hub.block_on(async {
        let tasks: Vec<Task<u32>> = (1..=3)
            .map(|i| {
                hub::spawn(async move {
                    hub::sleep(ms(u64::from(10 - i))).await;
                    i * 10
                })
            })
            .collect();
        let ended = hub::joinall(&tasks).await.unwrap();
        // completion order: the shortest sleep first
        let order: Vec<u64> = ended.iter().map(TaskRef::id).collect();
        assert_eq!(order, [tasks[2].id(), tasks[1].id(), tasks[0].id()]);
        tasks.iter().map(|t| t.value().unwrap()).collect::<Vec<_>>()
    });
    assert_eq!(values, [10, 20, 30]);
    assert_eq!(hub.now(), ms(9));
}

#[cfg(panic = "unwind")] // a task panics: wasm has no unwinding
#[test]
fn joinall_count_timeout_and_raise_error() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let sleeper = hub::spawn(hub::sleep(ms(1000)));
        let quick = hub::spawn(async {});
        // count=1: the quick one only
        let ended = hub::joinall([&sleeper, &quick]).count(1).await.unwrap();
        assert_eq!(ended, [quick.as_ref().clone()]);
        assert!(!sleeper.dead());
        // timeout: gives what ended so far
        let ended = hub::joinall([&sleeper, &quick])
            .timeout(ms(10))
            .await
            .unwrap();
        assert_eq!(ended, [quick.as_ref().clone()]);
        assert_eq!(hub::now(), ms(10));
        // raise_error: stops at the first panic
        let failing = hub::spawn(async {
            hub::sleep(ms(5)).await;
            panic!("boom")
        });
        let result = hub::joinall([sleeper.as_ref(), failing.as_ref()])
            .raise_error(true)
            .await;
        assert_eq!(result, Err(TaskError::Panicked("boom".into())));
        assert_eq!(hub::now(), ms(15));
        sleeper.kill();
    });
}

fn assert_killed(g: &TaskRef) {
    assert!(g.dead() && !g.started() && g.ready());
    assert!(g.successful(), "as in gevent, a kill is a clean exit");
    assert!(g.killed());
    assert_eq!(g.exception(), None);
}

/// gevent's `_test_kill`: kill, check, kill again (harmless), check.
async fn kill_twice(g: &TaskRef, block: bool) {
    if block {
        g.kill();
    } else {
        g.kill_nowait();
        hub::sleep(ms(10)).await;
    }
    assert_killed(g);
    hub::sleep(ms(10)).await;
    assert_killed(g);
    if block {
        g.kill()
    } else {
        g.kill_nowait()
    }
    assert_killed(g);
}

#[derive(Clone, Copy, Debug)]
enum KillState {
    /// Made but never started.
    NotStarted,
    /// Spawned; the spawner has not yielded yet.
    JustStarted,
    /// Scheduled by spawn_later.
    StartedLater,
    /// Running: suspended in a sleep.
    Sleeping,
}

fn kill_in_state(state: KillState, block: bool) {
    let hub = Hub::new_virtual();
    let result = Rc::new(RefCell::new(Vec::new()));
    let outcome = result.clone();
    hub.block_on(async move {
        let effect = outcome.clone();
        let body = async move {
            hub::sleep(ms(1)).await;
            effect.borrow_mut().push("side effect");
        };
        let g = match state {
            KillState::NotStarted => hub::greenlet(body),
            KillState::JustStarted => hub::spawn(body),
            KillState::StartedLater => hub::spawn_later(ms(1), body),
            KillState::Sleeping => {
                let g = hub::spawn(body);
                hub::sleep(Duration::ZERO).await;
                assert!(g.started());
                g
            }
        };
        let fired = link_log(&g);
        kill_twice(&g, block).await;
        hub::sleep(ms(20)).await;
        assert_eq!(*fired.borrow(), [g.id()], "{state:?}: the link fired once");
        assert_eq!(g.get().await, Err(TaskError::Killed));
    });
    assert!(
        result.borrow().is_empty(),
        "{state:?}/{block}: the body's side effect happened"
    );
}

#[test]
fn kill_not_started_block() {
    kill_in_state(KillState::NotStarted, true);
}

#[test]
fn kill_not_started_noblock() {
    kill_in_state(KillState::NotStarted, false);
}

#[test]
fn kill_just_started_block() {
    kill_in_state(KillState::JustStarted, true);
}

#[test]
fn kill_just_started_noblock() {
    kill_in_state(KillState::JustStarted, false);
}

#[test]
fn kill_started_later_block() {
    kill_in_state(KillState::StartedLater, true);
}

#[test]
fn kill_started_later_noblock() {
    kill_in_state(KillState::StartedLater, false);
}

#[test]
fn kill_sleeping_block() {
    kill_in_state(KillState::Sleeping, true);
}

#[test]
fn kill_sleeping_noblock() {
    kill_in_state(KillState::Sleeping, false);
}

struct Cleanup(&'static str, Log);

impl Drop for Cleanup {
    fn drop(&mut self) {
        push(&self.1, self.0);
    }
}

// Killing a sleeping task runs its cleanup, innermost scope first, before kill() returns.
#[test]
fn kill_runs_cleanup_innermost_first_before_returning() {
    let hub = Hub::new_virtual();
    let log = Log::default();
    let inner_log = log.clone();
    hub.block_on(async move {
        let body_log = inner_log.clone();
        let g = hub::spawn(async move {
            let _outer = Cleanup("outer cleanup", body_log.clone());
            {
                let _inner = Cleanup("inner cleanup", body_log.clone());
                hub::sleep(ms(100)).await;
                push(&body_log, "never");
            }
        });
        hub::sleep(ms(1)).await;
        push(&inner_log, "kill");
        g.kill();
        push(&inner_log, "kill returned");
        assert!(g.dead());
    });
    assert_eq!(
        entries(&log),
        ["kill", "inner cleanup", "outer cleanup", "kill returned"]
    );
}

// The same for a generator task: its locals are dropped where it is suspended.
#[generator(yield = Op, resume = Reply)]
fn guarded(log: Log) {
    let _outer = Cleanup("outer cleanup", log.clone());
    let _inner = Cleanup("inner cleanup", log.clone());
    yield_!(op::sleep(ms(100)));
    push(&log, "never");
}

#[test]
fn kill_generator_task_runs_cleanup() {
    let hub = Hub::new_virtual();
    let log = Log::default();
    let g = hub.spawn(guarded(log.clone()));
    assert!(!hub.wait(Some(ms(1))));
    g.kill();
    assert_eq!(entries(&log), ["inner cleanup", "outer cleanup"]);
    assert!(g.killed());
}

// A task that kills itself dies at its next suspension; its cleanup runs then.
#[test]
fn self_kill_dies_at_next_suspension() {
    let hub = Hub::new_virtual();
    let log = Log::default();
    let body_log = log.clone();
    let g = hub.spawn(async move {
        let _guard = Cleanup("cleanup", body_log.clone());
        hub::getcurrent().kill();
        push(&body_log, "still running until it waits");
        hub::sleep(ms(1)).await;
        push(&body_log, "never");
    });
    hub.run();
    assert_eq!(entries(&log), ["still running until it waits", "cleanup"]);
    assert!(g.killed());
}

// spawn_later: the task does not run until the spawner yields, even when its time has come.
#[test]
fn spawn_later_waits_for_the_spawner_to_yield() {
    let hub = Hub::new_virtual();
    let log = Log::default();
    let l = log.clone();
    hub.block_on(async move {
        let g_log = l.clone();
        let g = hub::spawn_later(Duration::ZERO, async move { push(&g_log, "later") });
        assert!(g.started() && !g.dead());
        for i in 0..1000 {
            std::hint::black_box(i);
        }
        assert!(entries(&l).is_empty());
        push(&l, "spawner yields");
        hub::sleep(ms(1)).await;
        push(&l, "spawner back");
        assert!(g.dead());
    });
    assert_eq!(entries(&log), ["spawner yields", "later", "spawner back"]);
}

// killall, blocking and not.
#[test]
fn killall_blocking_and_not() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let a: Vec<_> = (0..3).map(|_| hub::spawn(hub::sleep(ms(100)))).collect();
        let b: Vec<_> = (0..3).map(|_| hub::spawn(hub::sleep(ms(100)))).collect();
        hub::sleep(ms(1)).await;
        hub::killall(&a);
        assert!(a.iter().all(|t| t.killed()));
        hub::killall_nowait(&b);
        assert!(
            b.iter().all(|t| !t.dead()),
            "kill_nowait takes effect at the next turn"
        );
        hub::sleep(Duration::ZERO).await;
        assert!(b.iter().all(|t| t.killed()));
    });
    assert_eq!(hub.now(), ms(1));
}

// getcurrent() names the running task; Display is gevent's `<Greenlet at …>` analogue.
#[test]
fn getcurrent_is_the_running_task() {
    let hub = Hub::new_virtual();
    let t = hub.spawn(async { hub::getcurrent() });
    hub.run();
    let me = t.try_get().unwrap().unwrap();
    assert_eq!(me, *t.as_ref());
    assert_eq!(me.to_string(), format!("<Task #{}>", t.id()));
}

// Dropping the hub threw away the results of its dead tasks: `try_get` was `None` while `dead()`
// was true, for a task that had returned as for one killed at shutdown.
#[test]
fn handles_keep_their_tasks_results_after_the_hub_is_dropped() {
    let hub = Hub::new_virtual();
    let event = hub::Event::new();
    let returned = hub.spawn(async { 5 });
    let waiting = event.clone();
    let killed_waiting = hub.spawn(async move {
        waiting.wait().await;
        6
    });
    let killed_unstarted = hub.greenlet(async { 7 });
    let taken = hub.spawn(async { 8 });
    hub.run();
    assert_eq!(taken.try_get(), Some(Ok(8)));
    let untyped = returned.clone().into_ref();
    drop(hub);

    assert!(returned.dead() && returned.successful() && !returned.killed());
    assert_eq!(returned.value(), Some(5));
    assert_eq!(untyped.exception(), None);
    assert_eq!(futures::executor::block_on(returned.get()), Ok(5));
    assert_eq!(returned.try_get(), Some(Err(TaskError::Taken)));
    futures::executor::block_on(untyped.join());

    for (task, name) in [
        (&killed_waiting, "waiting"),
        (&killed_unstarted, "unstarted"),
    ] {
        assert!(task.dead() && task.killed() && task.successful(), "{name}");
        assert_eq!(task.value(), None, "{name}");
        assert_eq!(task.exception(), None, "{name}");
        assert_eq!(
            futures::executor::block_on(task.get()),
            Err(TaskError::Killed),
            "{name}"
        );
    }
    assert_eq!(taken.try_get(), Some(Err(TaskError::Taken)));
    drop(event);
}

// As above, for a task that panicked: its handle kept `dead()` and the message in `exception()`,
// but `try_get` was `None` once the hub was dropped.
#[cfg(panic = "unwind")] // a task panics: wasm has no unwinding
#[test]
fn a_panicked_tasks_handle_keeps_its_message_after_the_hub_is_dropped() {
    let hub = Hub::new_virtual();
    let panicked: Task<u32> = hub.spawn(async { panic!("lost at shutdown") });
    hub.run();
    drop(hub);
    let message = TaskError::Panicked("lost at shutdown".into());
    assert!(panicked.dead() && !panicked.successful());
    assert_eq!(panicked.exception(), Some(message.clone()));
    assert_eq!(panicked.try_get(), Some(Err(message)));
}

// A link made once the hub was dropped never ran (no loop was left to run it), and the handle
// it held kept what was left of the hub alive for good.
#[test]
fn a_link_made_after_the_hub_is_dropped_runs_at_once() {
    let hub = Hub::new_virtual();
    let task = hub.spawn(async { 5 });
    hub.run();
    drop(hub);
    let fired = link_log(&task);
    assert_eq!(*fired.borrow(), [task.id()]);
    let watched = Rc::new(());
    let held = watched.clone();
    task.link_value(move |_| drop(held));
    assert_eq!(
        Rc::strong_count(&watched),
        1,
        "the link ran and was dropped"
    );
}
