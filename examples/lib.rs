//! Runnable examples of the OpenRouter SDK for Rust: `cargo run --example quickstart`, and one
//! example per API group (`cargo run --example models`, ...). This library is empty; the
//! examples are the package's `[[example]]` targets.
