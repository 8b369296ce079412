//! Files through the blocking pool (`hub::fs`): the calls of `std::fs`, awaited.
#![cfg(not(target_family = "wasm"))]

use std::io::{self, SeekFrom};
use std::path::PathBuf;
use std::time::Duration;

use corogen::hub::fs::{self, File};
use corogen::hub::{self, Elapsed, Hub, with_timeout};

/// A fresh folder for one test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("corogen-hub-fs-{}-{name}", std::process::id()));
        drop(std::fs::remove_dir_all(&dir));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        drop(std::fs::remove_dir_all(&self.0));
    }
}

#[test]
fn the_path_calls_do_what_std_fs_does() {
    let scratch = Scratch::new("paths");
    let dir = &scratch.0;
    let hub = Hub::new();
    hub.block_on(async {
        let a = dir.join("a.txt");
        fs::write(&a, b"alpha").await.unwrap();
        assert_eq!(fs::read(&a).await.unwrap(), b"alpha");
        assert_eq!(fs::read_to_string(&a).await.unwrap(), "alpha");
        assert_eq!(fs::metadata(&a).await.unwrap().len(), 5);
        assert_eq!(fs::copy(&a, dir.join("b.txt")).await.unwrap(), 5);
        fs::rename(dir.join("b.txt"), dir.join("c.txt"))
            .await
            .unwrap();
        fs::create_dir_all(dir.join("x/y")).await.unwrap();
        let mut names: Vec<String> = fs::read_dir(dir)
            .await
            .unwrap()
            .iter()
            .map(|entry| entry.file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["a.txt", "c.txt", "x"]);
        assert!(fs::exists(dir.join("c.txt")).await.unwrap());
        fs::remove_file(dir.join("c.txt")).await.unwrap();
        assert!(!fs::exists(dir.join("c.txt")).await.unwrap());
        fs::remove_dir_all(dir.join("x")).await.unwrap();
        let missing = fs::read(dir.join("missing")).await.unwrap_err();
        assert_eq!(missing.kind(), io::ErrorKind::NotFound);
    });
}

#[test]
fn a_file_reads_writes_and_seeks_in_order() {
    let scratch = Scratch::new("file");
    let path = scratch.0.join("f");
    let hub = Hub::new();
    let (head, rest, len) = hub.block_on(async {
        let mut file = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .await
            .unwrap();
        file.write_all(b"0123456789").await.unwrap();
        assert_eq!(file.write(b"ab").await.unwrap(), 2);
        file.seek(SeekFrom::Start(0)).await.unwrap();
        let mut head = [0; 4];
        assert_eq!(file.read(&mut head).await.unwrap(), 4);
        let mut rest = String::new();
        file.read_to_string(&mut rest).await.unwrap();
        file.set_len(3).await.unwrap();
        file.sync_data().await.unwrap();
        let len = file.metadata().await.unwrap().len();
        let mut all = Vec::new();
        let mut again = File::open(&path).await.unwrap();
        again.read_to_end(&mut all).await.unwrap();
        assert_eq!(all, b"012");
        assert!(again.try_into_std().is_ok());
        (head, rest, len)
    });
    assert_eq!(&head, b"0123");
    assert_eq!(rest, "456789ab");
    assert_eq!(len, 3);
}

#[test]
fn other_tasks_run_while_a_file_call_is_on_the_pool() {
    let scratch = Scratch::new("busy");
    let path = scratch.0.join("big");
    let hub = Hub::new();
    let ticks = std::rc::Rc::new(std::cell::Cell::new(0u64));
    hub.block_on(async {
        let ticker = hub::spawn({
            let ticks = std::rc::Rc::clone(&ticks);
            async move {
                loop {
                    hub::sleep(Duration::ZERO).await;
                    ticks.set(ticks.get() + 1);
                }
            }
        });
        fs::write(&path, vec![7u8; 32 << 20]).await.unwrap();
        let read = fs::read(&path).await.unwrap();
        assert_eq!(read.len(), 32 << 20);
        ticker.kill();
    });
    // The ticker ran while the hub's only other task waited for the pool.
    assert!(ticks.get() > 0);
}

#[test]
fn a_call_given_up_by_a_timeout_or_a_kill_still_finishes_on_the_pool() {
    let scratch = Scratch::new("given-up");
    let dir = scratch.0.clone();
    let hub = Hub::new_virtual();
    let timed_out = hub.block_on({
        let dir = dir.clone();
        async move { with_timeout(Duration::ZERO, fs::write(dir.join("t"), b"timed out")).await }
    });
    assert_eq!(timed_out.map(drop), Err(Elapsed));
    // The killed call writes into a FIFO, so it cannot finish before the kill (as a plain file
    // write could: the task would then end before its killer ran): it stays blocked on the pool
    // until a reader opens the FIFO, which a thread does once the kill is done.
    let fifo = dir.join("k");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|status| status.success()), "mkfifo failed");
    let (killed, kill_done) = std::sync::mpsc::channel();
    let reader = std::thread::spawn({
        let fifo = fifo.clone();
        move || {
            kill_done.recv().unwrap();
            std::fs::read(fifo).unwrap()
        }
    });
    let writer = hub.spawn({
        let fifo = fifo.clone();
        async move { fs::write(fifo, b"killed").await }
    });
    hub.spawn({
        let writer = writer.clone();
        async move {
            writer.kill();
            killed.send(()).unwrap();
        }
    });
    // Returns once the killed task's job has finished on the pool.
    hub.run();
    assert!(writer.killed());
    assert_eq!(reader.join().unwrap(), b"killed");
    let path = dir.join("t");
    let mut tries = 0;
    while std::fs::read(&path).ok().as_deref() != Some(&b"timed out"[..]) {
        tries += 1;
        assert!(tries < 2000, "the timed-out call never wrote its file");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
#[cfg(panic = "unwind")]
fn a_task_that_panics_holding_a_file_leaves_the_hub_whole() {
    let scratch = Scratch::new("panic");
    let path = scratch.0.join("p");
    let hub = Hub::new();
    let task = hub.spawn({
        let path = path.clone();
        async move {
            let mut file = File::create(&path).await.unwrap();
            file.write_all(b"before the panic").await.unwrap();
            panic!("holding a file");
        }
    });
    hub.run();
    assert!(task.exception().is_some());
    let text = hub.block_on(fs::read_to_string(&path)).unwrap();
    assert_eq!(text, "before the panic");
}
