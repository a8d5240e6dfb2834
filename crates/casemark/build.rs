// sqlx::migrate! embeds migrations/ at compile time, but on stable Rust the
// macro cannot tell Cargo to rebuild when a migration changes: say so here,
// or a binary could carry a stale copy and refuse the database.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
