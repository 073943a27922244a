//! The anchor of `bench/login.py`: how many argon2id verifications per second this machine does
//! with the parameters Tandem hashes passwords with (m=19 MiB, t=2, p=1) and the very function
//! a log-in's hashing thread runs (`tandem_platform::password::verify_here`: the stored PHC
//! string parsed, argon2 in a kept working memory, so no verification allocates or page-faults
//! its 19 MiB). A log-in must verify one hash, so this is the bound on log-ins/s.
//!
//! ```sh
//! cargo run --release -p tandem-platform --example argon2_bound -- --seconds 10 --threads 2
//! ```
//!
//! Prints one JSON object: verifications, their rate, and the time one verification takes.
//! An example, not a binary: `cargo build` does not build it and it is not shipped.

use std::error::Error;
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

// The same numbers as `tandem_platform::password` (private there).
const MEMORY_KIB: u32 = 19 * 1024;
const ITERATIONS: u32 = 2;
const PARALLELISM: u32 = 1;
const PASSWORD: &str = "bench-password-1";

struct Args {
    seconds: f64,
    threads: usize,
}

fn parse_args() -> Result<Args, Box<dyn Error>> {
    let mut args = Args {
        seconds: 10.0,
        threads: std::thread::available_parallelism().map_or(1, usize::from),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--seconds" => args.seconds = value.parse()?,
            "--threads" => args.threads = value.parse()?,
            other => {
                return Err(format!("unknown option {other} (--seconds S, --threads N)").into());
            }
        }
    }
    if args.threads == 0 || args.seconds.is_nan() || args.seconds <= 0.0 {
        return Err("--threads and --seconds must be positive".into());
    }
    Ok(args)
}

/// One thread: verifies until the deadline; the duration of each verification.
fn verify_until(stored: &str, deadline: Instant) -> Result<Vec<Duration>, String> {
    let mut times = Vec::new();
    while Instant::now() < deadline {
        let t0 = Instant::now();
        // Parse and verify as the log-in does (it parses the stored string each time).
        let ok =
            tandem_platform::password::verify_here(PASSWORD, stored).map_err(|e| e.to_string())?;
        times.push(t0.elapsed());
        if !ok {
            return Err("the right password did not verify".into());
        }
    }
    Ok(times)
}

fn percentile_ms(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let k = ((sorted.len() - 1) as f64 * p / 100.0).round() as usize;
    sorted[k.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

fn main() -> Result<(), Box<dyn Error>> {
    let args = parse_args()?;
    let params =
        Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None).map_err(|e| e.to_string())?;
    let salt = SaltString::encode_b64(b"tandem-bench-salt").map_err(|e| e.to_string())?;
    let stored = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(PASSWORD.as_bytes(), &salt)
        .map_err(|e| e.to_string())?
        .to_string();

    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(args.seconds);
    let per_thread: Vec<Result<Vec<Duration>, String>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..args.threads)
            .map(|_| s.spawn(|| verify_until(&stored, deadline)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err("a thread panicked".into())))
            .collect()
    });
    // The last verification of each thread may end after the deadline: count the real span.
    let elapsed = started.elapsed().as_secs_f64();
    let mut times = Vec::new();
    let mut counts = Vec::new();
    for result in per_thread {
        let t = result?;
        counts.push(t.len());
        times.extend(t);
    }
    times.sort();
    let total = times.len();
    let out = serde_json::json!({
        "threads": args.threads,
        "seconds": elapsed,
        "verifications": total,
        "per_thread": counts,
        "verifications_per_s": total as f64 / elapsed,
        "verify_ms": {
            "p50": percentile_ms(&times, 50.0),
            "p99": percentile_ms(&times, 99.0),
            "mean": if total == 0 { 0.0 } else { times.iter().map(Duration::as_secs_f64).sum::<f64>() * 1000.0 / total as f64 },
        },
        "phc_prefix": stored.split('$').take(4).collect::<Vec<_>>().join("$"),
    });
    println!("{out}");
    Ok(())
}
