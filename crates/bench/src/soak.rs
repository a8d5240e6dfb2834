//! The soak run: the realistic peak for many minutes, a row a minute.

use super::*;

pub async fn run(
    args: &Args,
    pid: u32,
    world: &Arc<World>,
    inspectors: &[(i64, Session)],
    readers: &[Session],
) -> Result<(), BenchError> {
    let started = Instant::now();
    let mut minutes = Vec::new();
    let mut rss = Vec::new();
    for minute in 1..=args.soak_minutes {
        let markers = marker_workers(inspectors, args.peak_inspectors, minute * 1000, world, true);
        let leads = reader_workers(readers, 0, args.peak_leads, world, true);
        let (samples, elapsed) = load::open_loop(
            markers,
            leads,
            Duration::from_secs(5),
            Duration::from_secs(2),
            Duration::from_secs(60),
        )
        .await;
        let kb = measure::rss_kb(pid);
        rss.push(kb.unwrap_or(0));
        let rows = load::figures(
            &format!("minute {minute}"),
            &format!("{}+{}", args.peak_inspectors, args.peak_leads),
            elapsed,
            samples,
            kb,
        );
        eprintln!(
            "bench: soak minute {minute}: {} requests, {} errors, RSS {} MB",
            rows.iter().map(|f| f.ops + f.errors).sum::<usize>(),
            rows.iter().map(|f| f.errors).sum::<usize>(),
            kb.unwrap_or(0) / 1024
        );
        minutes.extend(rows);
    }
    let markdown = table(&minutes);
    println!("{markdown}");
    let errors = report_errors(&minutes);
    let first = rss.first().copied().unwrap_or(0) as f64 / 1024.0;
    let last = rss.last().copied().unwrap_or(0) as f64 / 1024.0;
    let summary = format!(
        "{} minutes, {} requests, {errors} errors; server RSS {first:.0} MB after the first \
         minute and {last:.0} MB after the last ({:+.0} MB).\n\n",
        args.soak_minutes,
        minutes.iter().map(|f| f.ops + f.errors).sum::<usize>(),
        last - first,
    );
    eprintln!(
        "bench: {summary}bench: soak done in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    let generated = format!(
        "## Latest soak run\n\n\
         Command: `cargo build --release && cargo run --release -p casemark-bench -- {}`; {}.\n\n\
         {summary}{markdown}",
        args_line(),
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
    );
    let out = "docs/reliability.md";
    let existing = std::fs::read_to_string(out).unwrap_or_default();
    std::fs::write(out, report::splice_between(&existing, &generated, "soak")).map_err(setup)?;
    eprintln!("bench: wrote {out}");
    if errors > 0 {
        return Err(setup(format!("{errors} requests failed")));
    }
    Ok(())
}
