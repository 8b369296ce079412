//! A whole run: every URL of the command line on one hub (or spread over `--hubs N`), at most
//! `-c` at a time.
//!
//! Each URL is a task in a [`Pool`] of the concurrency's size (gevent's `Pool(size)` plus
//! `joinall`); each task is [`download_into`]. With the hub's cooperative sockets the tasks
//! overlap while they wait on the network; with a blocking [`Connector`] they run one after
//! another, with the same output.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::rc::Rc;

use corogen::hub::{self, Hub, Pool, Runtime, ThreadQueue};

use crate::cli::{self, Command, EXIT_OK, EXIT_USAGE, Options, USAGE};
use crate::client::{Client, ClientOptions};
use crate::download::{DownloadError, download_into};
use crate::output::file_name_for;
use crate::report::{Report, Reporter, Summary};
use crate::transport::Connector;
use crate::url::Url;

/// For each URL, the file name it will be saved under, or why it cannot be: a malformed URL,
/// or a name an earlier URL already has. The names are settled before any download starts.
pub fn plan(urls: &[String]) -> Vec<Result<String, DownloadError>> {
    let mut taken: Vec<(String, &str)> = Vec::new();
    urls.iter()
        .map(|url| {
            let name = file_name_for(&Url::parse(url)?);
            if let Some((_, first)) = taken.iter().find(|(n, _)| *n == name) {
                return Err(DownloadError::DuplicateName {
                    name,
                    first: first.to_string(),
                });
            }
            taken.push((name.clone(), url));
            Ok(name)
        })
        .collect()
}

/// The client settings for a run's options.
pub fn client_options(options: &Options) -> ClientOptions {
    ClientOptions {
        max_redirects: options.max_redirects,
        ca_files: options.ca_files.clone(),
        max_idle_per_origin: options.concurrency,
        ..ClientOptions::default()
    }
}

/// A URL and the file name it will be saved under (or why it cannot be), from [`plan`].
type Job = (String, Result<String, DownloadError>);

/// Downloads every URL of `options` into its output directory with connections from
/// `connector`, reporting to `reporter`; returns the summary (also printed). On one hub; see
/// [`run_on_hubs`] for `--hubs N`.
pub fn run<C: Connector + 'static>(options: &Options, connector: C, reporter: Reporter) -> Summary {
    // A directory that cannot be made shows up as each URL's own error.
    let _ = std::fs::create_dir_all(&options.output_dir);
    let client = Rc::new(Client::new(connector, client_options(options)));
    let reporter = Rc::new(reporter);
    let jobs: Vec<Job> = options
        .urls
        .iter()
        .cloned()
        .zip(plan(&options.urls))
        .collect();
    let (dir, force, concurrency) = (
        options.output_dir.clone(),
        options.force,
        options.concurrency,
    );
    Hub::new().block_on(download_all(
        client,
        Rc::clone(&reporter),
        jobs,
        dir,
        force,
        concurrency,
    ));
    reporter.finish()
}

/// The URLs of `options` dealt out in turn over `options.hubs` hubs of a [`Runtime`], each hub
/// with a client of its own (connections stay on their hub) and its share of the concurrency,
/// so that `-c` stays the limit of the whole run: with fewer downloads at once than hubs, only
/// that many hubs are used. Every hub reports through a [relay](Reporter::relay) to `reporter`
/// on this thread: the same lines (in the order they happen) and the same summary as [`run`].
pub fn run_on_hubs<C>(options: &Options, connector: C, reporter: Reporter) -> Summary
where
    C: Connector + Clone + Send + 'static,
{
    let _ = std::fs::create_dir_all(&options.output_dir);
    let hubs = options
        .hubs
        .min(options.concurrency)
        .min(options.urls.len())
        .max(1);
    let mut shares: Vec<Vec<Job>> = (0..hubs).map(|_| Vec::new()).collect();
    for (i, job) in options
        .urls
        .iter()
        .cloned()
        .zip(plan(&options.urls))
        .enumerate()
    {
        shares[i % hubs].push(job);
    }
    let runtime = Runtime::new(hubs);
    let relay: ThreadQueue<Option<Report>> = ThreadQueue::new();
    let tasks: Vec<_> = shares
        .into_iter()
        .enumerate()
        .map(|(index, jobs)| {
            // The concurrency split as evenly as it goes: the first hubs take the remainder.
            let concurrency =
                options.concurrency / hubs + usize::from(index < options.concurrency % hubs);
            let (connector, client_options) = (connector.clone(), client_options(options));
            let client_options = ClientOptions {
                max_idle_per_origin: concurrency,
                ..client_options
            };
            let (dir, force, relay) = (options.output_dir.clone(), options.force, relay.clone());
            runtime.hub(index).spawn(move || {
                let client = Rc::new(Client::new(connector, client_options));
                let reporter = Rc::new(Reporter::relay(relay));
                async move {
                    download_all(client, reporter, jobs, dir, force, concurrency).await;
                }
            })
        })
        .collect();
    runtime.block_on(async {
        let joined = hub::spawn({
            let relay = relay.clone();
            async move {
                let mut panicked = Vec::new();
                for (index, task) in tasks.into_iter().enumerate() {
                    if let Err(error) = task.await {
                        panicked.push((index, error));
                    }
                }
                let _ = relay.try_put(None);
                panicked
            }
        });
        while let Some(report) = relay.get().await {
            report.apply(&reporter);
        }
        // A hub whose whole share panicked is a bug; it still counts as a failure.
        for (index, error) in joined.get().await.unwrap_or_default() {
            reporter.failed(&format!("hub {index}"), &format!("internal error: {error}"));
        }
    });
    reporter.finish()
}

/// Downloads `jobs` on the running hub, at most `concurrency` at once, each reported to
/// `reporter` (a job whose name could not be settled fails at once).
async fn download_all<C: Connector + 'static>(
    client: Rc<Client<C>>,
    reporter: Rc<Reporter>,
    jobs: Vec<Job>,
    dir: PathBuf,
    force: bool,
    concurrency: usize,
) {
    let pool = Pool::new(concurrency);
    let mut tasks = Vec::new();
    for (url, planned) in jobs {
        if let Err(error) = planned {
            reporter.failed(&url, &error);
            continue;
        }
        let (client, task_reporter, dir) = (Rc::clone(&client), Rc::clone(&reporter), dir.clone());
        let task_url = url.clone();
        let task = pool
            .spawn(async move {
                // The outcome is reported inside; the summary counts it.
                let _ = download_into(&client, &dir, &task_url, force, &task_reporter).await;
            })
            .await;
        tasks.push((url, task));
    }
    // Without raise_error, joinall waits for every task and reports no error.
    let _ = pool.join().await;
    for (url, task) in tasks {
        // A panic is a bug, but it must still count as that URL's failure.
        if let Some(Err(error)) = task.try_get() {
            reporter.failed(&url, &format!("internal error: {error}"));
        }
    }
}

/// The program: parses `args` (without the program's name), runs, and returns the exit code.
/// Help goes to `out`; usage errors go to `err`; a run connects through
/// `connector(&options)` (which applies `options.timeout`) and reports through
/// `reporter(url_count)`.
pub fn main_with<C, A>(
    args: impl IntoIterator<Item = A>,
    connector: impl FnOnce(&Options) -> C,
    out: &mut dyn Write,
    err: &mut dyn Write,
    reporter: impl FnOnce(usize) -> Reporter,
) -> u8
where
    C: Connector + Clone + Send + 'static,
    A: Into<OsString>,
{
    match cli::parse_args(args) {
        Ok(Command::Help) => {
            let _ = writeln!(out, "{USAGE}");
            EXIT_OK
        }
        Err(error) => {
            let _ = writeln!(err, "downloader: {error}\n\n{USAGE}");
            EXIT_USAGE
        }
        Ok(Command::Run(options)) => {
            let (connector, reporter) = (connector(&options), reporter(options.urls.len()));
            let summary = if options.hubs > 1 {
                run_on_hubs(&options, connector, reporter)
            } else {
                run(&options, connector, reporter)
            };
            cli::exit_code(summary.failures)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_settled_before_the_run() {
        let urls: Vec<String> = [
            "http://a/x/file.bin",
            "http://b/y/file.bin",
            "nonsense",
            "http://a/",
            "http://b/index.html",
            "http://c/other",
        ]
        .map(String::from)
        .to_vec();
        let plan = plan(&urls);
        assert_eq!(plan[0].as_ref().unwrap(), "file.bin");
        assert!(
            matches!(&plan[1], Err(DownloadError::DuplicateName { name, first }) if name == "file.bin" && first == "http://a/x/file.bin")
        );
        assert!(matches!(&plan[2], Err(DownloadError::Url(_))));
        assert_eq!(plan[3].as_ref().unwrap(), "index.html");
        assert!(matches!(&plan[4], Err(DownloadError::DuplicateName { .. })));
        assert_eq!(plan[5].as_ref().unwrap(), "other");
        assert_eq!(
            plan[1].as_ref().unwrap_err().to_string(),
            "would be saved as \"file.bin\", like http://a/x/file.bin"
        );
    }
}
