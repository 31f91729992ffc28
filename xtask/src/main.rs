//! Project tasks. `cargo xtask codegen --spec PATH [--out DIR] [--check]` generates the data model
//! of `openrouter-types`, the client's methods, the contract tests' calls and the README's table
//! from OpenRouter's OpenAPI document; `cargo xtask fetch-spec` downloads that document.
//!
//! The generator is written here rather than taken off the shelf because the spec is OpenAPI 3.1
//! with many discriminator-less unions and closed enums that the server keeps growing; see
//! `ARCHITECTURE.md` for the rules it follows.

mod client;
mod contract;
mod emit;
mod features;
mod fetch;
mod model;
mod names;
mod naming;
mod offline;
mod overrides;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "\
usage:
  cargo xtask codegen [--spec PATH] [--out DIR] [--check]
      Generate from the OpenAPI spec (JSON or YAML): crates/openrouter-types/src/generated/,
      crates/openrouter/src/api/generated.rs, crates/openrouter/tests/contract/calls.rs,
      the offline transport's answers (crates/openrouter/src/offline/answers.rs) and the
      README's table of API groups. The spec path may also come from OPENROUTER_OPENAPI_SPEC.
      --out DIR   write every output under DIR instead, at the same workspace-relative paths
                  (DIR/README.md is the workspace's README with the new table); the workspace
                  is left untouched
      --check     write nothing; exit 1 and name the files that differ from the committed output
                  (or, with --out, from the files under DIR)
  cargo xtask fetch-spec [--url URL] [--out PATH]
      Download the current spec (default URL https://openrouter.ai/openapi.json) to PATH
      (default target/openapi.json, where the tests look when ../shared/openapi has no snapshot).
      Fails, writing nothing, unless the answer is 200 OK with an OpenAPI document in JSON.
  cargo xtask drift --spec PATH
      Generate the model and the client methods from PATH into a copy of the two crates under
      target/drift, and compile them (spec-drift check).";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("codegen") => codegen(&args[1..]),
        Some("drift") => drift(&args[1..]),
        Some("fetch-spec") => fetch::run(&args[1..], &workspace_root()),
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

/// The types crate's generated directory, relative to the workspace root (or to `--out`).
const TYPES_DIR: &str = "crates/openrouter-types/src/generated";

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

struct Generated {
    /// Files of `crates/openrouter-types/src/generated/`.
    types: Vec<(String, String)>,
    /// Files outside the types crate (paths relative to the workspace root): the client's
    /// methods and the contract tests' calls.
    files: Vec<(&'static str, String)>,
    /// Generated regions of hand-written files: the README's table of groups and methods, the
    /// Cargo features of the API groups in the two library crates' manifests.
    regions: Vec<Region>,
    /// How many operations (client methods) the spec has.
    operations: usize,
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
            (
                "crates/openrouter/src/offline/answers.rs",
                rustfmt(&offline::emit_answers(&spec, &model))?,
            ),
        ],
        regions: vec![
            Region {
                path: "README.md",
                start: README_START,
                end: README_END,
                text: client::readme_table(&model),
            },
            Region {
                path: "crates/openrouter-types/Cargo.toml",
                start: FEATURES_START,
                end: FEATURES_END,
                text: features::types_features(&model),
            },
            Region {
                path: "crates/openrouter/Cargo.toml",
                start: FEATURES_START,
                end: FEATURES_END,
                text: features::client_features(&model),
            },
        ],
        operations: model.operations.len(),
    })
}

/// A generated region inside a hand-written file, between two marker lines.
struct Region {
    /// The file, relative to the workspace root.
    path: &'static str,
    start: &'static str,
    end: &'static str,
    text: String,
}

const README_START: &str = "<!-- generated: api groups (cargo xtask codegen) -->\n";
const README_END: &str = "<!-- end of generated api groups -->\n";
const FEATURES_START: &str = "# generated: api group features (cargo xtask codegen)\n";
const FEATURES_END: &str = "# end of generated api group features\n";

/// `file` (at `path`) with the region between its markers replaced, or an error when the
/// markers are missing.
fn with_region(file: &str, path: &str, region: &Region) -> Result<String, String> {
    let start = file
        .find(region.start)
        .ok_or_else(|| format!("{path} has no line {:?}", region.start.trim()))?
        + region.start.len();
    let end = file[start..]
        .find(region.end)
        .ok_or_else(|| format!("{path} has no line {:?}", region.end.trim()))?
        + start;
    Ok(format!("{}{}{}", &file[..start], region.text, &file[end..]))
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

/// Writes (or with `--check` compares) every generated output under one base directory: the
/// workspace root, or `--out DIR`, which mirrors the workspace-relative paths and leaves the
/// workspace untouched.
fn codegen(args: &[String]) -> Result<(), String> {
    let opts = parse_options(args)?;
    let root = workspace_root();
    let base = opts.out.clone().unwrap_or_else(|| root.clone());
    let types_dir = base.join(TYPES_DIR);
    let started = std::time::Instant::now();
    let generated = generate_all(&opts.spec)?;
    let files = generated.types;
    // The hand-written files that hold generated regions: the ones under the base directory
    // when they exist (always, for the workspace), else the workspace's (a first run with --out).
    let mut regions = Vec::new();
    for region in &generated.regions {
        let path = base.join(region.path);
        let template = if path.exists() || opts.check {
            path.clone()
        } else {
            root.join(region.path)
        };
        let old = std::fs::read_to_string(&template)
            .map_err(|e| format!("cannot read {}: {e}", template.display()))?;
        let new = with_region(&old, region.path, region)?;
        regions.push((path, template, old, new));
    }
    if opts.check {
        let mut stale = Vec::new();
        for (rel, text) in &generated.files {
            let path = base.join(rel);
            if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                stale.push(path.display().to_string());
            }
        }
        for (path, _, old, new) in &regions {
            if old != new {
                stale.push(format!("{} (its generated part)", path.display()));
            }
        }
        for (name, text) in &files {
            let path = types_dir.join(name);
            if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                stale.push(path.display().to_string());
            }
        }
        for extra in existing_rs_files(&types_dir)? {
            if !files.iter().any(|(n, _)| *n == extra) {
                stale.push(format!(
                    "{} (not generated any more)",
                    types_dir.join(&extra).display()
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
            files.len() + generated.files.len() + regions.len(),
            started.elapsed()
        );
        return Ok(());
    }
    std::fs::create_dir_all(&types_dir)
        .map_err(|e| format!("cannot create {}: {e}", types_dir.display()))?;
    for extra in existing_rs_files(&types_dir)? {
        if !files.iter().any(|(n, _)| *n == extra) {
            std::fs::remove_file(types_dir.join(&extra)).map_err(|e| e.to_string())?;
        }
    }
    let mut lines = 0;
    for (rel, text) in &generated.files {
        let path = base.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        }
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        lines += text.lines().count();
    }
    for (path, template, old, new) in &regions {
        if template != path || old != new {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
            }
            std::fs::write(path, new)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
    }
    for (name, text) in &files {
        lines += text.lines().count();
        let path = types_dir.join(name);
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    eprintln!(
        "codegen: wrote {} files, {lines} lines, under {} ({:.1?})",
        files.len() + generated.files.len() + regions.len(),
        base.display(),
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

/// The hand-written files of `openrouter-types` that the drift copy keeps: they name no
/// generated type. The rest of the crate (the face: `lib.rs`'s group modules with short names,
/// `constructors.rs`, `access.rs`) names particular generated types and is left out.
const DRIFT_TYPES_KEPT: [&str; 3] = ["rt.rs", "operation.rs", "error.rs"];

/// The `lib.rs` of the drift copy of `openrouter-types`: the real crate's root without its face.
const DRIFT_TYPES_LIB: &str = "\
//! Drift copy of `openrouter-types` (written by `cargo xtask drift`): the model generated from
//! another spec snapshot, with the hand-written modules that name no generated type.
#![allow(missing_docs)]

mod rt;

pub mod error;
pub mod generated;
pub mod operation;

pub use rt::{Binary, ErrorCode, FieldIssue, FieldIssues, MissingFields};

pub use rt::{from_slice, from_slice_with_path, from_str, from_value};

pub use generated::groups::*;
";

/// Generates the model and the client methods from a (possibly older) spec into copies of
/// `openrouter-types` and `openrouter` under `target/drift` (a workspace of their own) and runs
/// `cargo check` on them, so spec drift is caught without touching the committed output.
///
/// The copy of `openrouter` is the real crate's sources with `api/generated.rs` replaced, built
/// with the cfg `openrouter_drift`, which leaves out the few modules that name particular
/// generated types (they are listed in the output); everything else, `Client`, `Call`,
/// `execute`, the options, errors, streams and pagination, is compiled with the generated
/// methods. The copy of `openrouter-types` keeps only `DRIFT_TYPES_KEPT` beside the generated
/// files. Default features are off: the default transport (hyper, rustls) lives in
/// `openrouter-transport`, which is used as it is and which the generated code does not touch.
fn drift(args: &[String]) -> Result<(), String> {
    let opts = parse_options(args)?;
    let started = std::time::Instant::now();
    let root = workspace_root();
    let scratch = root.join("target/drift");
    let generated = generate_all(&opts.spec)?;
    // The single scratch crate that drift wrote before it compiled the client methods too.
    let _ = std::fs::remove_dir_all(scratch.join("openrouter-types-drift"));

    // The workspace: the real one's packages settings, dependencies, lints and profiles, with
    // the two copied crates in place of the real ones.
    let root_manifest = read(&root.join("Cargo.toml"))?;
    let mut manifest = String::from(
        "# Written by `cargo xtask drift`: copies of openrouter-types and openrouter built from\n\
         # another spec snapshot.\n[workspace]\nresolver = \"2\"\nmembers = [\"openrouter-types\", \"openrouter\"]\n\n",
    );
    for line in manifest_sections(&root_manifest, |h| {
        h.starts_with("[workspace.") || h.starts_with("[profile.")
    })
    .lines()
    {
        manifest.push_str(&drift_dependency_path(line, &root));
        manifest.push('\n');
        // What is used depends on the operations a spec has (the older snapshot has no
        // form-encoded body, so the form encoder is dead code there): not a drift.
        if line.trim() == "[workspace.lints.rust]" {
            manifest.push_str("dead_code = \"allow\"\nunused_imports = \"allow\"\n");
        }
    }
    write(&scratch.join("Cargo.toml"), &manifest)?;
    let lock = root.join("Cargo.lock");
    if lock.exists() {
        let _ = std::fs::copy(&lock, scratch.join("Cargo.lock"));
    }

    // openrouter-types: the generated files and the hand-written modules that name no
    // generated type.
    let types_real = root.join("crates/openrouter-types");
    let types = scratch.join("openrouter-types");
    let _ = std::fs::remove_dir_all(types.join("src"));
    for (name, text) in &generated.types {
        write(&types.join("src/generated").join(name), text)?;
    }
    for kept in DRIFT_TYPES_KEPT {
        write(
            &types.join("src").join(kept),
            &read(&types_real.join("src").join(kept))?,
        )?;
    }
    write(&types.join("src/lib.rs"), DRIFT_TYPES_LIB)?;
    write(
        &types.join("Cargo.toml"),
        &drift_manifest(&generated, "crates/openrouter-types/Cargo.toml")?,
    )?;
    let mut types_left_out = vec!["lib.rs (its group modules with short names)".to_owned()];
    for name in existing_rs_files(&types_real.join("src"))? {
        if name != "lib.rs" && !DRIFT_TYPES_KEPT.contains(&name.as_str()) {
            types_left_out.push(name);
        }
    }

    // openrouter: the real sources, with the generated client methods replaced.
    let client_real = root.join("crates/openrouter");
    let client = scratch.join("openrouter");
    let _ = std::fs::remove_dir_all(client.join("src"));
    copy_dir(&client_real.join("src"), &client.join("src"))?;
    for (rel, text) in &generated.files {
        if let Some(inner) = rel.strip_prefix("crates/openrouter/src/") {
            write(&client.join("src").join(inner), text)?;
        }
    }
    write(
        &client.join("build.rs"),
        "//! Written by `cargo xtask drift`: leaves out the modules that name particular generated types.\n\
         fn main() {\n    println!(\"cargo:rustc-cfg=openrouter_drift\");\n}\n",
    )?;
    write(
        &client.join("Cargo.toml"),
        &drift_manifest(&generated, "crates/openrouter/Cargo.toml")?,
    )?;
    let client_left_out = drift_gated_modules(&client.join("src"), Path::new(""))?;

    eprintln!(
        "drift: generated the model and {} client methods from {}; compiling them with copies of \
         openrouter-types and openrouter (every API group of that spec: feature full) in {}\n\
         drift: left out of the copies: openrouter-types: {}; openrouter (cfg openrouter_drift): {}",
        generated.operations,
        opts.spec.display(),
        scratch.display(),
        types_left_out.join(", "),
        client_left_out.join(", "),
    );
    // The caller's target directory (else the workspace's), so the dependencies' builds are
    // shared with the workspace's own.
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let status =
        std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args([
                "check",
                "--quiet",
                "--workspace",
                "--no-default-features",
                "--features",
                "openrouter-types/spec-registry,openrouter/full",
                "--manifest-path",
            ])
            .arg(scratch.join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", target_dir)
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!(
            "the code generated from {} does not compile (copies in {})",
            opts.spec.display(),
            scratch.display()
        ));
    }
    eprintln!(
        "drift: the model and {} client methods generated from {} compile ({:.1?})",
        generated.operations,
        opts.spec.display(),
        started.elapsed()
    );
    Ok(())
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    let entries =
        std::fs::read_dir(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| e.to_string())?;
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        if entry.file_type().map_err(|e| e.to_string())?.is_dir() {
            copy_dir(&src, &dst)?;
        } else {
            std::fs::copy(&src, &dst).map_err(|e| format!("cannot copy {}: {e}", src.display()))?;
        }
    }
    Ok(())
}

/// The sections of a manifest whose header (`[name]` or `[[name]]`) `keep` accepts.
fn manifest_sections(manifest: &str, keep: impl Fn(&str) -> bool) -> String {
    let mut out = String::new();
    let mut keeping = false;
    for line in manifest.lines() {
        if line.starts_with('[') {
            keeping = keep(line.trim());
        }
        if keeping {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// A package manifest for the drift workspace: the package, its features, dependencies and
/// lints; no dev-dependencies, tests or benches (their sources are not copied).
/// The manifest of a drift copy: the real crate's (`rel`), with the API group features of the
/// other spec.
fn drift_manifest(generated: &Generated, rel: &str) -> Result<String, String> {
    let root = workspace_root();
    let mut manifest = drift_package_manifest(&read(&root.join(rel))?);
    for region in generated.regions.iter().filter(|r| r.path == rel) {
        manifest = with_region(&manifest, rel, region)?;
    }
    Ok(manifest)
}

fn drift_package_manifest(manifest: &str) -> String {
    let kept = manifest_sections(manifest, |h| {
        matches!(h, "[package]" | "[features]" | "[dependencies]" | "[lints]")
    });
    kept.replacen("[package]\n", "[package]\npublish = false\n", 1)
}

/// A `[workspace.dependencies]` line with its path made to point at the drift copy of a
/// copied crate, or at the real crate otherwise.
fn drift_dependency_path(line: &str, root: &Path) -> String {
    const PREFIX: &str = "path = \"crates/";
    let Some(at) = line.find(PREFIX) else {
        return line.to_owned();
    };
    let rest = &line[at + PREFIX.len()..];
    let Some(end) = rest.find('"') else {
        return line.to_owned();
    };
    let name = &rest[..end];
    let path = if matches!(name, "openrouter-types" | "openrouter") {
        name.to_owned()
    } else {
        root.join("crates").join(name).display().to_string()
    };
    format!("{}path = \"{path}\"{}", &line[..at], &rest[end + 1..])
}

/// The modules of a source tree declared under `#[cfg(not(openrouter_drift))]`, as file paths.
fn drift_gated_modules(dir: &Path, rel: &Path) -> Result<Vec<String>, String> {
    let mut found = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if path.is_dir() {
            found.extend(drift_gated_modules(&path, &rel.join(&name))?);
            continue;
        }
        if !name.ends_with(".rs") {
            continue;
        }
        let text = read(&path)?;
        let mut gated = false;
        for line in text.lines().map(str::trim) {
            if gated {
                let module = line
                    .strip_prefix("pub ")
                    .unwrap_or(line)
                    .strip_prefix("mod ")
                    .and_then(|m| m.strip_suffix(';'));
                if let Some(module) = module {
                    // A module is a file or a directory of its own.
                    let shown = if dir.join(module).is_dir() {
                        format!("{module}/")
                    } else {
                        format!("{module}.rs")
                    };
                    found.push(rel.join(shown).display().to_string());
                }
            }
            gated = line.starts_with("#[cfg(") && line.contains("not(openrouter_drift)");
        }
    }
    Ok(found)
}
