//! Project tasks. `cargo xtask codegen --spec PATH [--out DIR] [--check]` generates the data model
//! of `openrouter-types` from OpenRouter's OpenAPI document.
//!
//! The generator is written here rather than taken off the shelf because the spec is OpenAPI 3.1
//! with many discriminator-less unions and closed enums that the server keeps growing; see
//! `ARCHITECTURE.md` for the rules it follows.

mod client;
mod contract;
mod emit;
mod model;
mod names;
mod naming;
mod overrides;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "\
usage:
  cargo xtask codegen [--spec PATH] [--out DIR] [--check]
      Generate crates/openrouter-types/src/generated/ from the OpenAPI spec (JSON or YAML).
      The spec path may also come from OPENROUTER_OPENAPI_SPEC.
      --out DIR   write into DIR instead of the crate
      --check     write nothing; exit 1 and name the files that differ from the committed output
  cargo xtask drift --spec PATH
      Generate from PATH into target/drift and compile the result (spec-drift check).";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("codegen") => codegen(&args[1..]),
        Some("drift") => drift(&args[1..]),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("{msg}");
            ExitCode::FAILURE
        }
    }
}

struct Options {
    spec: PathBuf,
    out: Option<PathBuf>,
    check: bool,
}

fn parse_options(args: &[String]) -> Result<Options, String> {
    let mut spec = std::env::var_os("OPENROUTER_OPENAPI_SPEC").map(PathBuf::from);
    let mut out = None;
    let mut check = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--spec" => spec = Some(it.next().ok_or("--spec needs a path")?.into()),
            "--out" => out = Some(it.next().ok_or("--out needs a directory")?.into()),
            "--check" => check = true,
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    let spec =
        spec.ok_or_else(|| format!("no spec given (--spec or OPENROUTER_OPENAPI_SPEC)\n{USAGE}"))?;
    Ok(Options { spec, out, check })
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn default_out() -> PathBuf {
    workspace_root().join("crates/openrouter-types/src/generated")
}

fn load_spec(path: &Path) -> Result<serde_json::Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let is_json =
        path.extension().is_some_and(|e| e == "json") || text.trim_start().starts_with('{');
    if is_json {
        serde_json::from_str(&text)
            .map_err(|e| format!("{} is not valid JSON: {e}", path.display()))
    } else {
        serde_norway::from_str(&text)
            .map_err(|e| format!("{} is not valid YAML: {e}", path.display()))
    }
}

/// Generates every output file of the types crate, formatted, as (file name, contents).
fn generate(spec_path: &Path) -> Result<Vec<(String, String)>, String> {
    Ok(generate_all(spec_path)?.types)
}

struct Generated {
    /// Files of `crates/openrouter-types/src/generated/`.
    types: Vec<(String, String)>,
    /// Files outside the types crate (paths relative to the workspace root): the client's
    /// methods and the contract tests' calls.
    files: Vec<(&'static str, String)>,
    /// The README's table of groups and methods.
    readme_table: String,
}

fn generate_all(spec_path: &Path) -> Result<Generated, String> {
    let mut spec = load_spec(spec_path)?;
    overrides::patch_spec(&mut spec);
    let model = model::build(&spec)?;
    naming::report(&model)?;
    let types = emit::emit(&model)
        .into_iter()
        .map(|(name, text)| Ok((name, rustfmt(&text)?)))
        .collect::<Result<_, String>>()?;
    Ok(Generated {
        types,
        files: vec![
            (
                "crates/openrouter/src/api/generated.rs",
                rustfmt(&client::emit_client(&model))?,
            ),
            (
                "crates/openrouter/tests/contract/calls.rs",
                rustfmt(&contract::emit_contract(&spec, &model))?,
            ),
        ],
        readme_table: client::readme_table(&model),
    })
}

const README_START: &str = "<!-- generated: api groups (cargo xtask codegen) -->\n";
const README_END: &str = "<!-- end of generated api groups -->\n";

/// The README with its generated table replaced, or an error when the markers are missing.
fn readme_with_table(readme: &str, table: &str) -> Result<String, String> {
    let start = readme
        .find(README_START)
        .ok_or("README.md has no generated-table start marker")?
        + README_START.len();
    let end = readme[start..]
        .find(README_END)
        .ok_or("README.md has no generated-table end marker")?
        + start;
    Ok(format!("{}{}{}", &readme[..start], table, &readme[end..]))
}

fn rustfmt(src: &str) -> Result<String, String> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(std::env::var("RUSTFMT").unwrap_or_else(|_| "rustfmt".into()))
        .args(["--edition", "2021", "--emit", "stdout", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run rustfmt: {e}"))?;
    let mut stdin = child.stdin.take().unwrap();
    let input = src.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child
        .wait_with_output()
        .map_err(|e| format!("rustfmt failed: {e}"))?;
    writer
        .join()
        .unwrap()
        .map_err(|e| format!("rustfmt stdin: {e}"))?;
    if !out.status.success() {
        let dump = std::env::temp_dir().join("openrouter-codegen-unformatted.rs");
        let _ = std::fs::write(&dump, src);
        return Err(format!(
            "rustfmt rejected the generated code (written to {}):\n{}",
            dump.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    String::from_utf8(out.stdout).map_err(|e| e.to_string())
}

fn codegen(args: &[String]) -> Result<(), String> {
    let opts = parse_options(args)?;
    let out_dir = opts.out.clone().unwrap_or_else(default_out);
    let started = std::time::Instant::now();
    let generated = generate_all(&opts.spec)?;
    let files = generated.types;
    let root = workspace_root();
    let readme_path = root.join("README.md");
    let readme = std::fs::read_to_string(&readme_path)
        .map_err(|e| format!("cannot read {}: {e}", readme_path.display()))?;
    let readme_new = readme_with_table(&readme, &generated.readme_table)?;
    if opts.check {
        let mut stale = Vec::new();
        for (rel, text) in &generated.files {
            let path = root.join(rel);
            if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                stale.push(path.display().to_string());
            }
        }
        if readme != readme_new {
            stale.push(format!(
                "{} (its table of API groups)",
                readme_path.display()
            ));
        }
        for (name, text) in &files {
            let path = out_dir.join(name);
            if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                stale.push(path.display().to_string());
            }
        }
        for extra in existing_rs_files(&out_dir)? {
            if !files.iter().any(|(n, _)| *n == extra) {
                stale.push(format!(
                    "{} (not generated any more)",
                    out_dir.join(&extra).display()
                ));
            }
        }
        if !stale.is_empty() {
            return Err(format!(
                "generated code is stale; run `cargo xtask codegen --spec {}`. Files that differ:\n  {}",
                opts.spec.display(),
                stale.join("\n  ")
            ));
        }
        eprintln!(
            "codegen check: {} files up to date ({:.1?})",
            files.len(),
            started.elapsed()
        );
        return Ok(());
    }
    std::fs::create_dir_all(&out_dir)
        .map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
    for extra in existing_rs_files(&out_dir)? {
        if !files.iter().any(|(n, _)| *n == extra) {
            std::fs::remove_file(out_dir.join(&extra)).map_err(|e| e.to_string())?;
        }
    }
    let mut lines = 0;
    for (rel, text) in &generated.files {
        let path = root.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        }
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        lines += text.lines().count();
    }
    if readme != readme_new {
        std::fs::write(&readme_path, &readme_new)
            .map_err(|e| format!("cannot write {}: {e}", readme_path.display()))?;
    }
    for (name, text) in &files {
        lines += text.lines().count();
        let path = out_dir.join(name);
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    eprintln!(
        "codegen: wrote {} files, {lines} lines, to {} ({:.1?})",
        files.len(),
        out_dir.display(),
        started.elapsed()
    );
    Ok(())
}

fn existing_rs_files(dir: &Path) -> Result<Vec<String>, String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut names = Vec::new();
    for entry in entries {
        let name = entry
            .map_err(|e| e.to_string())?
            .file_name()
            .to_string_lossy()
            .into_owned();
        if name.ends_with(".rs") {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// Generates from a (possibly older) spec into a scratch crate under `target/drift` and runs
/// `cargo check` on it, so spec drift is caught without touching the committed output.
fn drift(args: &[String]) -> Result<(), String> {
    let opts = parse_options(args)?;
    let root = workspace_root();
    let scratch = root.join("target/drift/openrouter-types-drift");
    let src = scratch.join("src");
    let _ = std::fs::remove_dir_all(&src);
    std::fs::create_dir_all(src.join("generated")).map_err(|e| e.to_string())?;
    let files = generate(&opts.spec)?;
    for (name, text) in &files {
        std::fs::write(src.join("generated").join(name), text).map_err(|e| e.to_string())?;
    }
    let types_src = root.join("crates/openrouter-types/src");
    for support in ["rt.rs", "operation.rs"] {
        std::fs::copy(types_src.join(support), src.join(support)).map_err(|e| e.to_string())?;
    }
    std::fs::write(
        src.join("lib.rs"),
        "//! Scratch crate: the generated model of another spec snapshot, compiled alone.\n\
         #![allow(missing_docs)]\nmod rt;\npub mod operation;\npub mod generated;\n",
    )
    .map_err(|e| e.to_string())?;
    std::fs::write(
        scratch.join("Cargo.toml"),
            "[package]\nname = \"openrouter-types-drift\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [features]\nspec-registry = []\n\n\
             [dependencies]\nserde = { version = \"1\", features = [\"derive\"] }\nserde_json = \"1\"\nserde_path_to_error = \"0.1\"\n\n\
             [workspace]\n\n[lints.rust]\nunexpected_cfgs = { level = \"warn\", check-cfg = ['cfg(openrouter_types_drop_unknown)'] }\n",
    )
    .map_err(|e| e.to_string())?;
    let lock = root.join("Cargo.lock");
    if lock.exists() {
        let _ = std::fs::copy(&lock, scratch.join("Cargo.lock"));
    }
    eprintln!(
        "drift: generated {} files from {}; compiling",
        files.len(),
        opts.spec.display()
    );
    let status =
        std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["check", "--quiet", "--all-features", "--manifest-path"])
            .arg(scratch.join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", root.join("target"))
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!(
            "the code generated from {} does not compile",
            opts.spec.display()
        ));
    }
    eprintln!(
        "drift: the model generated from {} compiles",
        opts.spec.display()
    );
    Ok(())
}
