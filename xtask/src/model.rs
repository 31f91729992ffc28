//! From the OpenAPI document to a model of Rust types and operations.
//!
//! Every schema node the generator visits is recorded with its JSON pointer and the Rust type it
//! became, so the conformance test can decode each `example` of the spec into the right type.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Map, Value};

use crate::names::{pascal, snake};
use crate::naming::{self, NameKind, SEP};

#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    String,
    Bool,
    I32,
    I64,
    F32,
    F64,
    Binary,
    Json,
    JsonObject,
    Named(String),
    Vec(Box<Ty>),
    Map(Box<Ty>),
    Option(Box<Ty>),
    Boxed(Box<Ty>),
}

/// Fails on a method name that two operations of a group share, or that is the name of a
/// `Call` terminal.
fn check_method_names(operations: &[Operation]) -> Result<(), String> {
    let mut seen: BTreeMap<(&str, &str), &str> = BTreeMap::new();
    for op in operations {
        if crate::naming::CALL_TERMINALS.contains(&op.method_name.as_str()) {
            return Err(format!(
                "operation {} would be the method `{}`, the name of a `Call` terminal",
                op.id, op.method_name
            ));
        }
        if let Some(other) = seen.insert((&op.group, &op.method_name), &op.id) {
            return Err(format!(
                "operations {other} and {} would both be `{}().{}()`: add an entry to \
                 overrides::METHOD_NAMES",
                op.id, op.group, op.method_name
            ));
        }
    }
    Ok(())
}

/// Above this estimated inline size (bytes), an optional field of a generated type is boxed
/// (see `Gen::box_large`).
pub const LARGE_FIELD: usize = 96;

/// An estimate of the inline size of a generated type, close enough to tell small from large:
/// a `String`, `Vec` or map is three words, a struct the sum of its fields plus its unknown-field
/// map and issue pointer, a union its largest member plus a tag, an open enum a `String`.
fn def_size(
    name: &str,
    defs: &[Def],
    index: &HashMap<String, usize>,
    memo: &mut HashMap<String, usize>,
) -> usize {
    if let Some(&s) = memo.get(name) {
        return s;
    }
    let Some(&i) = index.get(name) else {
        return 24;
    };
    // Cycles are boxed already, so this recursion ends; a provisional entry guards it anyway.
    memo.insert(name.to_owned(), 8);
    let size = match &defs[i].kind {
        Kind::Struct { fields, .. } => {
            fields
                .iter()
                .map(|f| ty_size(&f.ty, defs, index, memo))
                .sum::<usize>()
                + 32
        }
        Kind::Enum { .. } => 24,
        Kind::Union(u) => {
            u.variants
                .iter()
                .map(|v| {
                    v.payload
                        .as_ref()
                        .map_or(0, |t| ty_size(t, defs, index, memo))
                })
                .max()
                .unwrap_or(0)
                + 8
        }
        Kind::Alias(t) => ty_size(t, defs, index, memo),
    };
    memo.insert(name.to_owned(), size);
    size
}

fn ty_size(
    t: &Ty,
    defs: &[Def],
    index: &HashMap<String, usize>,
    memo: &mut HashMap<String, usize>,
) -> usize {
    match t {
        Ty::Bool => 1,
        Ty::I32 | Ty::F32 => 4,
        Ty::I64 | Ty::F64 | Ty::Boxed(_) => 8,
        Ty::String | Ty::Binary | Ty::Vec(_) | Ty::Map(_) | Ty::JsonObject => 24,
        Ty::Json => 32,
        Ty::Named(n) => def_size(n, defs, index, memo),
        Ty::Option(inner) => ty_size(inner, defs, index, memo) + 8,
    }
}

impl Ty {
    /// The type as the types crate writes it.
    pub fn rust(&self) -> String {
        self.render("", "crate::rt::Binary")
    }

    /// The type as a crate that uses the generated types through `t::` writes it (the client
    /// methods, the contract calls).
    pub fn outside(&self) -> String {
        self.render("t::", "openrouter_types::Binary")
    }

    fn render(&self, named: &str, binary: &str) -> String {
        match self {
            Ty::String => "String".into(),
            Ty::Bool => "bool".into(),
            Ty::I32 => "i32".into(),
            Ty::I64 => "i64".into(),
            Ty::F32 => "f32".into(),
            Ty::F64 => "f64".into(),
            Ty::Binary => binary.into(),
            Ty::Json => "serde_json::Value".into(),
            Ty::JsonObject => "serde_json::Map<String, serde_json::Value>".into(),
            Ty::Named(n) if n.contains("::") => n.clone(),
            Ty::Named(n) => format!("{named}{n}"),
            Ty::Vec(t) => format!("Vec<{}>", t.render(named, binary)),
            Ty::Map(t) => format!(
                "std::collections::BTreeMap<String, {}>",
                t.render(named, binary)
            ),
            Ty::Option(t) => format!("Option<{}>", t.render(named, binary)),
            Ty::Boxed(t) => format!("Box<{}>", t.render(named, binary)),
        }
    }

    /// Named types reached without going through a container that already allocates.
    fn direct_names(&self, out: &mut Vec<String>) {
        match self {
            Ty::Named(n) => out.push(n.clone()),
            Ty::Option(t) => t.direct_names(out),
            _ => {}
        }
    }

    fn has_default(&self) -> bool {
        !matches!(self, Ty::Named(_) | Ty::Boxed(_))
    }
}

/// JSON value kinds a schema accepts, used to skip union members that cannot match.
pub mod kinds {
    pub const STRING: u8 = 1;
    pub const NUMBER: u8 = 2;
    pub const BOOL: u8 = 4;
    pub const ARRAY: u8 = 8;
    pub const OBJECT: u8 = 16;
    pub const NULL: u8 = 32;
    pub const ANY: u8 = 63;
}

#[derive(Clone, Debug)]
pub struct Field {
    pub ident: String,
    pub json: String,
    pub ty: Ty,
    pub required: bool,
    pub nullable: bool,
    /// Absent, `null` and a value are three different things (PATCH bodies).
    pub tristate: bool,
    pub doc: Option<String>,
    pub deprecated: bool,
    /// The only value the field can take (a union tag); filled in by constructors.
    pub fixed: bool,
    /// For query parameters: repeat the key for each array element.
    pub explode: bool,
    /// Whether the constructor takes it (required fields, and the optional ones that
    /// `overrides` names because nearly every caller sets them).
    pub in_new: bool,
    /// Its place in the spec's `required` list (constructors take their arguments in that
    /// order, `model` first); `usize::MAX` when it is not listed.
    pub order: usize,
}

#[derive(Clone, Debug)]
pub struct Variant {
    pub name: String,
    /// `None` for a string literal member.
    pub payload: Option<Ty>,
    pub literal: Option<String>,
    pub tags: Vec<String>,
    pub tag_required: bool,
    pub kinds: u8,
    pub rank: (usize, usize),
    pub doc: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Union {
    pub variants: Vec<Variant>,
    pub tag: Option<String>,
}

#[derive(Clone, Debug)]
pub enum Kind {
    Struct { fields: Vec<Field>, query: bool },
    Enum { variants: Vec<(String, String)> },
    Union(Union),
    Alias(Ty),
}

#[derive(Clone, Debug)]
pub struct Def {
    pub name: String,
    pub doc: Option<String>,
    pub kind: Kind,
    pub component: bool,
    pub deprecated: bool,
}

#[derive(Clone, Debug)]
pub enum Body {
    Json(Ty),
    Multipart(Ty),
    Form(Ty),
}

#[derive(Clone, Debug)]
pub enum Response {
    Empty,
    Json(Ty),
    /// JSON, or SSE when the request asks for it (`stream: true`).
    JsonOrSse {
        json: Ty,
        event: Ty,
        sentinel: Option<String>,
    },
    Sse {
        event: Ty,
        sentinel: Option<String>,
    },
    Binary {
        content_type: String,
    },
}

#[derive(Clone, Debug)]
pub enum Pagination {
    OffsetLimit {
        results: String,
    },
    Cursor {
        param: String,
        next: String,
        results: String,
    },
}

// `ident` and `doc` (and `Operation::description`) are for the client-method generator, which
// reads this model but is not written yet.
#[allow(dead_code)]
#[derive(Clone, Debug)]
pub struct Param {
    pub name: String,
    pub ident: String,
    pub ty: Ty,
    pub required: bool,
    pub doc: Option<String>,
}

#[allow(dead_code)]
#[derive(Clone, Debug)]
pub struct Operation {
    pub id: String,
    pub group: String,
    pub method_name: String,
    pub http_method: String,
    pub path: String,
    pub path_params: Vec<Param>,
    pub query: Option<String>,
    pub headers: Vec<Param>,
    pub body: Option<Body>,
    pub body_required: bool,
    pub success_status: u16,
    pub response: Response,
    pub pagination: Option<Pagination>,
    pub errors: Vec<(u16, Option<Ty>)>,
    pub management_key: bool,
    pub deprecated: bool,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub stream_field: Option<String>,
}

/// An object's properties (name, schema, JSON pointer) and its required names.
/// The required names keep the spec's order (constructors take them in it).
type Props<'a> = (Vec<(String, &'a Value, String)>, Vec<String>);

pub struct Model {
    pub defs: Vec<Def>,
    pub operations: Vec<Operation>,
    /// (JSON pointer of a schema node, Rust type it decodes into).
    pub registry: Vec<(String, String)>,
    pub component_count: usize,
    /// Names that had to be numbered to tell them from another type (see `naming::choose`).
    pub numbered: BTreeSet<String>,
}

struct Gen<'a> {
    spec: &'a Value,
    schemas: &'a Map<String, Value>,
    defs: Vec<Def>,
    taken: BTreeSet<String>,
    comp_names: BTreeMap<String, String>,
    comp_nullable: BTreeSet<String>,
    by_ptr: HashMap<String, (Ty, bool)>,
    registry: BTreeMap<String, String>,
    patch_bodies: BTreeSet<String>,
    /// Canonical text of each component that would become a type of its own, to its name: an
    /// inline schema with the same text is that component (see `canonical`).
    canon: HashMap<String, String>,
    /// Inline schemas taken as a component: (pointer, schema, component), so that the nodes
    /// under them are registered with the component's types once everything is built.
    mirrored: Vec<(String, &'a Value, String)>,
    /// The path (see `naming`) each inline type was named from, so that a type inside it is
    /// named from the whole path and not from its parent's possibly shortened name.
    origin: HashMap<String, Vec<String>>,
    numbered: BTreeSet<String>,
    /// Names that inline types would take from their whole path (found by a first pass): no
    /// other type takes them by a shortened path.
    reserved: BTreeSet<String>,
    exact: BTreeSet<String>,
}

fn esc(seg: &str) -> String {
    seg.replace('~', "~0").replace('/', "~1")
}

fn desc(s: &Value) -> Option<String> {
    s.get("description")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn is_deprecated(s: &Value) -> bool {
    s.get("deprecated")
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

fn type_list(s: &Value) -> Vec<&str> {
    match s.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn string_values(s: &Value) -> Option<Vec<String>> {
    if let Some(c) = s.get("const") {
        return c.as_str().map(|c| vec![c.to_owned()]);
    }
    let e = s.get("enum")?.as_array()?;
    let v: Vec<String> = e
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect();
    (!v.is_empty() && e.iter().all(|x| x.is_string() || x.is_null())).then_some(v)
}

/// Builds the model in two passes: the first finds the names that inline types take from their
/// whole path; the second keeps those names for them, so that a deep type whose name drops
/// middle segments never takes the name of a shallower one visited later (see `naming`).
pub fn build(spec: &Value) -> Result<Model, String> {
    let (_, exact) = build_pass(spec, BTreeSet::new())?;
    Ok(build_pass(spec, exact)?.0)
}

fn build_pass(
    spec: &Value,
    reserved: BTreeSet<String>,
) -> Result<(Model, BTreeSet<String>), String> {
    let empty = Map::new();
    let schemas = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut g = Gen {
        spec,
        schemas,
        defs: Vec::new(),
        taken: BTreeSet::new(),
        comp_names: BTreeMap::new(),
        comp_nullable: BTreeSet::new(),
        by_ptr: HashMap::new(),
        registry: BTreeMap::new(),
        patch_bodies: BTreeSet::new(),
        canon: HashMap::new(),
        mirrored: Vec::new(),
        origin: HashMap::new(),
        numbered: BTreeSet::new(),
        reserved,
        exact: BTreeSet::new(),
    };
    // Reserve component names first: they are the names users know from the docs.
    for name in schemas.keys() {
        let mut rust = naming::component_name(&pascal(name), |n| {
            g.taken.contains(n) || schemas.contains_key(n)
        });
        while g.taken.contains(&rust) {
            rust.push_str("Schema");
        }
        g.taken.insert(rust.clone());
        g.comp_names.insert(name.clone(), rust);
    }
    g.scan_patch_bodies();
    g.canon = component_canon(schemas, &g.patch_bodies, &g.comp_names);
    for (name, schema) in schemas {
        if g.nullable_here(schema) {
            g.comp_nullable.insert(name.clone());
        }
    }
    for (name, schema) in schemas {
        let rust = g.comp_names[name].clone();
        let ptr = format!("#/components/schemas/{}", esc(name));
        g.component_def(&rust, schema, &ptr);
    }
    let mut operations = g.operations()?;
    check_method_names(&operations)?;
    g.mirror_registry();
    infer_pagination(&mut operations, &g.defs);
    g.box_recursion();
    g.box_large();
    let registry = g.registry.into_iter().collect();
    Ok((
        Model {
            defs: g.defs,
            operations,
            registry,
            component_count: schemas.len(),
            numbered: g.numbered,
        },
        g.exact,
    ))
}

/// Pagination for the listings the spec does not mark with `x-speakeasy-pagination` but that
/// page in the same way: a `GET` with an `offset` query parameter whose JSON answer has a `data`
/// array pages by offset; one with an `after` parameter whose answer has `data`, `has_more` and
/// `last_id` pages by cursor (`after` = the last id of the page before).
fn infer_pagination(operations: &mut [Operation], defs: &[Def]) {
    let struct_fields = |name: &str| {
        defs.iter()
            .find(|d| d.name == name)
            .and_then(|d| match &d.kind {
                Kind::Struct { fields, .. } => Some(fields),
                _ => None,
            })
    };
    for op in operations.iter_mut() {
        if op.pagination.is_some() || op.http_method != "GET" {
            continue;
        }
        let (Some(query), Response::Json(Ty::Named(response))) = (&op.query, &op.response) else {
            continue;
        };
        let (Some(query), Some(fields)) = (struct_fields(query), struct_fields(response)) else {
            continue;
        };
        let has = |fields: &[Field], json: &str| fields.iter().any(|f| f.json == json);
        let data_is_array = fields
            .iter()
            .any(|f| f.json == "data" && matches!(f.ty, Ty::Vec(_)));
        if !data_is_array {
            continue;
        }
        if has(query, "offset") {
            op.pagination = Some(Pagination::OffsetLimit {
                results: "$.data".into(),
            });
        } else if has(query, "after") && has(fields, "has_more") && has(fields, "last_id") {
            op.pagination = Some(Pagination::Cursor {
                param: "after".into(),
                next: "$.last_id".into(),
                results: "$.data".into(),
            });
        }
    }
}

impl<'a> Gen<'a> {
    fn ref_name<'s>(&self, s: &'s Value) -> Option<&'s str> {
        s.get("$ref")?
            .as_str()?
            .strip_prefix("#/components/schemas/")
    }

    fn deref(&self, s: &'a Value) -> &'a Value {
        let mut cur = s;
        for _ in 0..32 {
            match cur.get("$ref").and_then(Value::as_str) {
                Some(r) => match r.strip_prefix('#').and_then(|p| self.spec.pointer(p)) {
                    Some(t) => cur = t,
                    None => return cur,
                },
                None => return cur,
            }
        }
        cur
    }

    fn scan_patch_bodies(&mut self) {
        let Some(paths) = self.spec.get("paths").and_then(Value::as_object) else {
            return;
        };
        for (path, item) in paths {
            let Some(op) = item.get("patch") else {
                continue;
            };
            let schema = op.pointer("/requestBody/content/application~1json/schema");
            match schema.and_then(|s| self.ref_name(s)) {
                Some(name) => {
                    self.patch_bodies.insert(self.comp_names[name].clone());
                }
                None => {
                    self.patch_bodies.insert(format!(
                        "#/paths/{}/patch/requestBody/content/application~1json/schema",
                        esc(path)
                    ));
                }
            }
        }
    }

    fn nullable_here(&self, s: &Value) -> bool {
        type_list(s).contains(&"null")
            || s.get("nullable").and_then(Value::as_bool).unwrap_or(false)
            || s.get("enum")
                .and_then(Value::as_array)
                .is_some_and(|e| e.iter().any(Value::is_null))
            || ["anyOf", "oneOf"].iter().any(|k| {
                s.get(*k)
                    .and_then(Value::as_array)
                    .is_some_and(|m| m.iter().any(|x| type_list(x) == ["null"]))
            })
    }

    /// A name for an inline struct (the query structs of operations).
    fn unique(&mut self, hint: &str) -> String {
        self.unique_for(hint, None, NameKind::Struct)
    }

    /// A name for an inline type from its hint (`Parent/Property/Item`, see `naming`): the
    /// parent's own path is put in front, so names are made from the whole path.
    fn unique_for(&mut self, hint: &str, s: Option<&Value>, kind: NameKind) -> String {
        let segs = naming::path(hint);
        let mut full = segs
            .first()
            .and_then(|root| self.origin.get(root))
            .cloned()
            .unwrap_or_else(|| segs.iter().take(1).cloned().collect());
        full.extend(segs.into_iter().skip(1));
        let full = naming::glue(full);
        let title = s.and_then(|s| s.get("title")).and_then(Value::as_str);
        let whole = naming::join_all(&full);
        let (taken, reserved) = (&self.taken, &self.reserved);
        let (name, numbered) = naming::choose(&full, title, kind, |n| {
            taken.contains(n) || (n != whole && reserved.contains(n))
        });
        if whole.len() <= naming::MAX {
            self.exact.insert(whole);
        }
        self.taken.insert(name.clone());
        if numbered {
            self.numbered.insert(name.clone());
        }
        self.origin.insert(name.clone(), full);
        name
    }

    fn record(&mut self, ptr: &str, ty: &Ty, nullable: bool) {
        let expr = if nullable {
            format!("Option<{}>", ty.rust())
        } else {
            ty.rust()
        };
        self.registry.entry(ptr.to_owned()).or_insert(expr);
    }

    /// The component an inline schema is identical to (see `canonical`), if any. PATCH bodies
    /// keep their own types (their optional nullable fields are tri-state). A string enum is its
    /// component only when the component's name ends in the same word as the enum's own name
    /// would (`reasoning_effort` is `ReasoningEffort`): two enums can share their values and not
    /// their meaning (`verbosity` and an effort are both `low`, `medium`, `high`).
    fn same_as_component(&self, s: &Value, ptr: &str, hint: &str) -> Option<String> {
        if s.get("$ref").is_some() || !dedup_candidate(s) || self.patch_bodies.contains(ptr) {
            return None;
        }
        let name = self.canon.get(&canonical(s, &self.canon).to_string())?;
        if self.kinds_of(s, 0) & !kinds::NULL == kinds::STRING {
            let last = |n: &str| crate::names::words(n).pop();
            let own = naming::path(hint).pop().unwrap_or_default();
            if last(&self.comp_names[name]) != last(&own) {
                return None;
            }
        }
        // A component's own pointer (or one inside it) is never its copy.
        let own = format!("#/components/schemas/{}", esc(name));
        (ptr != own && !ptr.starts_with(&format!("{own}/"))).then(|| name.clone())
    }

    /// Registers the nodes under each inline schema that was taken as a component with the types
    /// of the component's matching nodes, so that their examples are still checked.
    fn mirror_registry(&mut self) {
        let mirrored = std::mem::take(&mut self.mirrored);
        for (ptr, s, name) in mirrored {
            let target = &self.schemas[&name];
            let tptr = format!("#/components/schemas/{}", esc(&name));
            self.mirror(s, &ptr, target, &tptr, 0);
        }
    }

    fn mirror(&mut self, s: &Value, ptr: &str, target: &'a Value, tptr: &str, depth: usize) {
        if depth > 64 {
            return;
        }
        if let Some(t) = self.registry.get(tptr).cloned() {
            self.registry.entry(ptr.to_owned()).or_insert(t);
        }
        if s.get("$ref").is_some() {
            return;
        }
        // Follow the component's references where the copy is written out.
        if let Some(r) = target.get("$ref").and_then(Value::as_str) {
            if let Some(t) = r.strip_prefix('#').and_then(|p| self.spec.pointer(p)) {
                let r = r.to_owned();
                return self.mirror(s, ptr, t, &r, depth + 1);
            }
            return;
        }
        if let (Some(p), Some(tp)) = (
            s.get("properties").and_then(Value::as_object),
            target.get("properties").and_then(Value::as_object),
        ) {
            for (k, v) in p {
                if let Some(tv) = tp.get(k) {
                    self.mirror(
                        v,
                        &format!("{ptr}/properties/{}", esc(k)),
                        tv,
                        &format!("{tptr}/properties/{}", esc(k)),
                        depth + 1,
                    );
                }
            }
        }
        for k in ["items", "additionalProperties"] {
            if let (Some(v), Some(tv)) = (s.get(k), target.get(k)) {
                if v.is_object() {
                    self.mirror(
                        v,
                        &format!("{ptr}/{k}"),
                        tv,
                        &format!("{tptr}/{k}"),
                        depth + 1,
                    );
                }
            }
        }
        for k in ["allOf", "anyOf", "oneOf"] {
            if let (Some(a), Some(ta)) = (
                s.get(k).and_then(Value::as_array),
                target.get(k).and_then(Value::as_array),
            ) {
                for (i, (v, tv)) in a.iter().zip(ta).enumerate() {
                    self.mirror(
                        v,
                        &format!("{ptr}/{k}/{i}"),
                        tv,
                        &format!("{tptr}/{k}/{i}"),
                        depth + 1,
                    );
                }
            }
        }
    }

    /// `allOf` members that only add docs or an example describe the whole value: record them with
    /// its type so their examples are checked too.
    fn record_doc_only_members(&mut self, s: &Value, ptr: &str, result: &(Ty, bool)) {
        if let Some(all) = s.get("allOf").and_then(Value::as_array) {
            for (i, m) in all.iter().enumerate() {
                let structural = [
                    "$ref",
                    "properties",
                    "additionalProperties",
                    "type",
                    "anyOf",
                    "oneOf",
                    "allOf",
                    "enum",
                    "const",
                ]
                .iter()
                .any(|k| m.get(*k).is_some());
                if !structural {
                    self.record(&format!("{ptr}/allOf/{i}"), &result.0, result.1);
                }
            }
        }
    }

    fn component_def(&mut self, rust: &str, schema: &'a Value, ptr: &str) {
        let before = self.defs.len();
        let (ty, _) = self.shape(schema, ptr, rust, Some(rust.to_owned()));
        let made_def = self.defs[before..].iter().any(|d| d.name == rust);
        if !made_def {
            self.defs.push(Def {
                name: rust.to_owned(),
                doc: desc(schema),
                kind: Kind::Alias(ty),
                component: true,
                deprecated: is_deprecated(schema),
            });
        }
        if let Some(d) = self.defs.iter_mut().rev().find(|d| d.name == rust) {
            d.component = true;
        }
        let nullable = self
            .comp_nullable
            .iter()
            .any(|n| self.comp_names.get(n).is_some_and(|r| r == rust));
        self.record(ptr, &Ty::Named(rust.to_owned()), nullable);
        self.record_doc_only_members(schema, ptr, &(Ty::Named(rust.to_owned()), nullable));
    }

    /// The type of a schema used somewhere (a property, an item, a body...).
    fn ty(&mut self, s: &'a Value, ptr: &str, hint: &str) -> (Ty, bool) {
        if let Some(name) = self.ref_name(s) {
            let ty = match self.comp_names.get(name) {
                Some(rust) => Ty::Named(rust.clone()),
                None => Ty::Json,
            };
            let nullable = self.comp_nullable.contains(name) || self.nullable_here(s);
            self.record(ptr, &ty, nullable);
            return (ty, nullable);
        }
        if let Some(hit) = self.by_ptr.get(ptr) {
            return hit.clone();
        }
        if let Some(name) = self.same_as_component(s, ptr, hint) {
            let ty = Ty::Named(self.comp_names[&name].clone());
            let nullable = self.comp_nullable.contains(&name);
            self.by_ptr.insert(ptr.to_owned(), (ty.clone(), nullable));
            self.record(ptr, &ty, nullable);
            self.mirrored.push((ptr.to_owned(), s, name));
            return (ty, nullable);
        }
        let result = self.shape(s, ptr, hint, None);
        self.by_ptr.insert(ptr.to_owned(), result.clone());
        self.record(ptr, &result.0, result.1);
        self.record_doc_only_members(s, ptr, &result);
        result
    }

    /// Builds the type for a schema's own shape; `def_name` forces the name of a definition.
    fn shape(
        &mut self,
        s: &'a Value,
        ptr: &str,
        hint: &str,
        def_name: Option<String>,
    ) -> (Ty, bool) {
        let nullable = self.nullable_here(s);
        if let Some(name) = self.ref_name(s) {
            let ty = self
                .comp_names
                .get(name)
                .map(|n| Ty::Named(n.clone()))
                .unwrap_or(Ty::Json);
            return (ty, nullable || self.comp_nullable.contains(name));
        }
        // allOf: a single reference (with only docs beside it) is that type; otherwise flatten.
        if let Some(all) = s.get("allOf").and_then(Value::as_array) {
            let meaningful: Vec<(usize, &Value)> = all
                .iter()
                .enumerate()
                .filter(|(_, m)| {
                    m.get("$ref").is_some()
                        || m.get("properties").is_some()
                        || m.get("required").is_some()
                        || m.get("additionalProperties").is_some()
                        || m.get("type").is_some()
                        || m.get("anyOf").is_some()
                        || m.get("oneOf").is_some()
                })
                .collect();
            if meaningful.len() == 1 {
                let (i, m) = meaningful[0];
                let mptr = format!("{ptr}/allOf/{i}");
                let (t, n) = if m.get("$ref").is_some() {
                    self.ty(m, &mptr, hint)
                } else {
                    let r = self.shape(m, &mptr, hint, def_name);
                    self.record(&mptr, &r.0, r.1);
                    r
                };
                return (t, n || nullable);
            }
            if meaningful
                .iter()
                .all(|(_, m)| self.object_props(m).is_some())
                && !meaningful.is_empty()
            {
                let name =
                    def_name.unwrap_or_else(|| self.unique_for(hint, Some(s), NameKind::Struct));
                self.struct_def(&name, s, ptr);
                return (Ty::Named(name), nullable);
            }
            return (Ty::Json, nullable);
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(members) = s.get(key).and_then(Value::as_array) {
                let non_null: Vec<(usize, &'a Value)> = members
                    .iter()
                    .enumerate()
                    .filter(|(_, m)| type_list(m) != ["null"])
                    .collect();
                if non_null.len() == 1 {
                    let (i, m) = non_null[0];
                    let mptr = format!("{ptr}/{key}/{i}");
                    // A component that is its only member or `null` is that member's type, under
                    // the component's name.
                    if let (Some(own), None) = (&def_name, self.ref_name(m)) {
                        let r = self.shape(m, &mptr, hint, Some(own.clone()));
                        self.by_ptr.insert(mptr.clone(), r.clone());
                        self.record(&mptr, &r.0, r.1);
                        self.record_doc_only_members(m, &mptr, &r);
                        return (r.0, r.1 || nullable);
                    }
                    let (t, n) = self.ty(m, &mptr, hint);
                    return (t, n || nullable);
                }
                if non_null.is_empty() {
                    return (Ty::Json, true);
                }
                let name =
                    def_name.unwrap_or_else(|| self.unique_for(hint, Some(s), NameKind::Union));
                self.union_def(&name, s, &format!("{ptr}/{key}"), &non_null);
                return (Ty::Named(name), nullable);
            }
        }
        let types: Vec<&str> = type_list(s).into_iter().filter(|t| *t != "null").collect();
        if let Some(values) = string_values(s) {
            if types.is_empty() || types == ["string"] {
                let name =
                    def_name.unwrap_or_else(|| self.unique_for(hint, Some(s), NameKind::Enum));
                self.enum_def(&name, s, &values);
                return (Ty::Named(name), nullable);
            }
        }
        let ty = match types.first().copied() {
            _ if types.len() > 1 => Ty::Json,
            Some("string") => match s.get("format").and_then(Value::as_str) {
                Some("binary") => Ty::Binary,
                _ => Ty::String,
            },
            Some("boolean") => Ty::Bool,
            Some("integer") => match s.get("format").and_then(Value::as_str) {
                Some("int32") => Ty::I32,
                _ => Ty::I64,
            },
            Some("number") => match s.get("format").and_then(Value::as_str) {
                Some("float") => Ty::F32,
                _ => Ty::F64,
            },
            Some("array") => {
                let item_hint = format!("{hint}{SEP}Item");
                match s.get("items") {
                    Some(items) => {
                        let (t, n) = self.ty(items, &format!("{ptr}/items"), &item_hint);
                        let t = if n { Ty::Option(Box::new(t)) } else { t };
                        Ty::Vec(Box::new(t))
                    }
                    None => Ty::Vec(Box::new(Ty::Json)),
                }
            }
            Some("object") | None if s.get("properties").is_some() => {
                let name =
                    def_name.unwrap_or_else(|| self.unique_for(hint, Some(s), NameKind::Struct));
                self.struct_def(&name, s, ptr);
                return (Ty::Named(name), nullable);
            }
            Some("object") => match s.get("additionalProperties") {
                Some(ap) if ap.is_object() && !ap.as_object().unwrap().is_empty() => {
                    let (t, n) = self.ty(
                        ap,
                        &format!("{ptr}/additionalProperties"),
                        &format!("{hint}{SEP}Value"),
                    );
                    let t = if n { Ty::Option(Box::new(t)) } else { t };
                    Ty::Map(Box::new(t))
                }
                _ => Ty::JsonObject,
            },
            _ => Ty::Json,
        };
        (ty, nullable)
    }

    /// Properties of an object schema, following `$ref` and flattening `allOf`, each with the
    /// pointer it was found at.
    fn object_props(&self, s: &'a Value) -> Option<Props<'a>> {
        self.object_props_at(s, None)
    }

    fn object_props_at(&self, s: &'a Value, at: Option<String>) -> Option<Props<'a>> {
        let (s, base) = match self.ref_name(s) {
            Some(name) => (
                self.schemas.get(name)?,
                format!("#/components/schemas/{}", esc(name)),
            ),
            None => (s, at.unwrap_or_default()),
        };
        let mut props: Vec<(String, &'a Value, String)> = Vec::new();
        let mut required: Vec<String> = Vec::new();
        if let Some(all) = s.get("allOf").and_then(Value::as_array) {
            for (i, m) in all.iter().enumerate() {
                if m.get("$ref").is_none()
                    && m.get("properties").is_none()
                    && m.get("required").is_none()
                    && m.get("allOf").is_none()
                {
                    continue;
                }
                let (p, r) = self.object_props_at(m, Some(format!("{base}/allOf/{i}")))?;
                for (k, v, ptr) in p {
                    if let Some(slot) = props.iter_mut().find(|(n, _, _)| *n == k) {
                        *slot = (k, v, ptr);
                    } else {
                        props.push((k, v, ptr));
                    }
                }
                for name in r {
                    if !required.contains(&name) {
                        required.push(name);
                    }
                }
            }
        } else if s.get("anyOf").is_some() || s.get("oneOf").is_some() || s.get("enum").is_some() {
            return None;
        } else {
            let types = type_list(s);
            if !types.is_empty() && !types.contains(&"object") {
                return None;
            }
        }
        if let Some(p) = s.get("properties").and_then(Value::as_object) {
            for (k, v) in p {
                let ptr = format!("{base}/properties/{}", esc(k));
                if let Some(slot) = props.iter_mut().find(|(n, _, _)| n == k) {
                    *slot = (k.clone(), v, ptr);
                } else {
                    props.push((k.clone(), v, ptr));
                }
            }
        }
        if let Some(r) = s.get("required").and_then(Value::as_array) {
            for name in r.iter().filter_map(Value::as_str) {
                if !required.iter().any(|n| n == name) {
                    required.push(name.to_owned());
                }
            }
        }
        Some((props, required))
    }

    fn struct_def(&mut self, name: &str, s: &'a Value, ptr: &str) {
        let (props, required) = self
            .object_props_at(s, Some(ptr.to_owned()))
            .unwrap_or_default();
        // PATCH bodies (by component name or, when inline, by pointer) can clear a field.
        let tristate_body = self.patch_bodies.contains(name) || self.patch_bodies.contains(ptr);
        let mut fields = Vec::new();
        let mut idents = BTreeSet::new();
        let has_message = props.iter().any(|(n, _, _)| n == "message");
        for (json, prop, pptr) in props {
            let mut ident = snake(&json);
            while !idents.insert(ident.clone()) || crate::names::bare(&ident) == "extra" {
                ident = format!("{}_", crate::names::bare(&ident));
            }
            let hint = format!("{name}{SEP}{}", pascal(&json));
            let (mut ty, nullable) = self.ty(prop, &pptr, &hint);
            // OpenRouter documents string codes (`"server_error"`) in mid-stream errors while the
            // spec types every error `code` as an integer: accept both wherever a `code` sits
            // beside a `message`.
            if json == "code" && matches!(ty, Ty::I32 | Ty::I64) && has_message {
                ty = Ty::Named("crate::rt::ErrorCode".into());
            }
            let omitted =
                required.contains(&json) && crate::overrides::omitted_by_the_api(name, &json);
            let req = required.contains(&json) && !omitted;
            let mut doc = desc(prop);
            if omitted {
                let note = "Optional here although the spec requires it: the API leaves it out \
                            (the spec's own examples of this type do).";
                doc = Some(match doc {
                    Some(d) => format!("{d}\n\n{note}"),
                    None => note.to_owned(),
                });
            }
            let extra_arg = crate::overrides::constructor_takes(name, &json);
            let req_for_ctor = req || extra_arg;
            let fixed = req && string_values(self.deref(prop)).is_some_and(|v| v.len() == 1);
            let order = required
                .iter()
                .position(|r| *r == json)
                .unwrap_or(usize::MAX);
            fields.push(Field {
                order,
                ident,
                json,
                ty,
                required: req,
                in_new: (req_for_ctor && (!nullable || extra_arg)) && !fixed,
                nullable,
                tristate: tristate_body && !req && nullable,
                doc,
                deprecated: is_deprecated(prop),
                fixed,
                explode: false,
            });
        }
        self.defs.push(Def {
            name: name.to_owned(),
            doc: desc(s),
            kind: Kind::Struct {
                fields,
                query: false,
            },
            component: false,
            deprecated: is_deprecated(s),
        });
    }

    fn enum_def(&mut self, name: &str, s: &Value, values: &[String]) {
        let mut seen = BTreeSet::new();
        let mut variants = Vec::new();
        for v in values {
            let mut ident = pascal(v);
            if ident == "Unknown" {
                ident = "UnknownValue".into();
            }
            let base = ident.clone();
            let mut n = 2;
            while !seen.insert(ident.clone()) {
                ident = format!("{base}{n}");
                n += 1;
            }
            if !variants.iter().any(|(_, val)| val == v) {
                variants.push((ident, v.clone()));
            }
        }
        self.defs.push(Def {
            name: name.to_owned(),
            doc: desc(s),
            kind: Kind::Enum { variants },
            component: false,
            deprecated: is_deprecated(s),
        });
    }

    /// JSON kinds a schema accepts.
    fn kinds_of(&self, s: &Value, depth: usize) -> u8 {
        use kinds::*;
        if depth > 16 {
            return ANY;
        }
        let s = self.deref(s);
        if let Some(all) = s.get("allOf").and_then(Value::as_array) {
            let k = all
                .iter()
                .filter(|m| {
                    m.get("$ref").is_some()
                        || m.get("type").is_some()
                        || m.get("properties").is_some()
                })
                .map(|m| self.kinds_of(m, depth + 1))
                .fold(ANY, |a, b| a & b);
            return if k == 0 { ANY } else { k };
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(m) = s.get(key).and_then(Value::as_array) {
                return m
                    .iter()
                    .map(|x| self.kinds_of(x, depth + 1))
                    .fold(0, |a, b| a | b);
            }
        }
        let mut k = 0;
        for t in type_list(s) {
            k |= match t {
                "string" => STRING,
                "number" | "integer" => NUMBER,
                "boolean" => BOOL,
                "array" => ARRAY,
                "object" => OBJECT,
                "null" => NULL,
                _ => 0,
            };
        }
        if k == 0 {
            if s.get("properties").is_some() {
                k = OBJECT;
            } else if s.get("enum").is_some() || s.get("const").is_some() {
                k = STRING;
            } else {
                k = ANY;
            }
        }
        k
    }

    fn union_def(&mut self, name: &str, s: &'a Value, ptr: &str, members: &[(usize, &'a Value)]) {
        // Which property, if any, tells the members apart.
        let disc = s.get("discriminator");
        let mut mapping: BTreeMap<String, Vec<String>> = BTreeMap::new();
        if let Some(m) = disc
            .and_then(|d| d.get("mapping"))
            .and_then(Value::as_object)
        {
            for (tag, target) in m {
                if let Some(t) = target.as_str() {
                    mapping.entry(t.to_owned()).or_default().push(tag.clone());
                }
            }
        }
        let member_props: Vec<Option<Props<'a>>> =
            members.iter().map(|(_, m)| self.object_props(m)).collect();
        let fixed_of = |g: &Self, idx: usize, prop: &str| -> Option<(Vec<String>, bool)> {
            let (props, req) = member_props[idx].as_ref()?;
            let (_, ps, _) = props.iter().find(|(n, _, _)| n == prop)?;
            let vals = string_values(g.deref(ps))?;
            // A tag the API leaves out (an override) does not make the member tag-only either.
            let omitted = g
                .ref_name(members[idx].1)
                .is_some_and(|rn| crate::overrides::omitted_by_the_api(&g.comp_names[rn], prop));
            Some((vals, req.iter().any(|r| r == prop) && !omitted))
        };
        let tag: Option<String> = match disc
            .and_then(|d| d.get("propertyName"))
            .and_then(Value::as_str)
        {
            Some(p) => Some(p.to_owned()),
            None => {
                let mut counts: BTreeMap<String, usize> = BTreeMap::new();
                for (i, mp) in member_props.iter().enumerate() {
                    if let Some((props, _)) = mp {
                        for (p, _, _) in props {
                            if fixed_of(self, i, p).is_some() {
                                *counts.entry(p.clone()).or_default() += 1;
                            }
                        }
                    }
                }
                // Prefer `type`, then the property fixed in the most members.
                let best = counts
                    .iter()
                    .max_by_key(|(p, c)| (**c, p.as_str() == "type"));
                match best {
                    Some((p, c)) if *c >= 2 || (*c == 1 && members.len() == 1) => Some(p.clone()),
                    _ => None,
                }
            }
        };
        let mut variants: Vec<Variant> = Vec::new();
        let mut used = BTreeSet::new();
        used.insert("Unknown".to_owned());
        let push_name = |base: String, used: &mut BTreeSet<String>| -> String {
            let mut n = base.clone();
            let mut i = 2;
            while !used.insert(n.clone()) {
                n = format!("{base}{i}");
                i += 1;
            }
            n
        };
        let member_tags: Vec<(Vec<String>, bool)> = members
            .iter()
            .enumerate()
            .map(|(pos, (_, m))| match tag.as_deref() {
                Some(p) => {
                    let mut tags: Vec<String> = Vec::new();
                    if let Some(r) = m.get("$ref").and_then(Value::as_str) {
                        tags.extend(mapping.get(r).cloned().unwrap_or_default());
                    }
                    let fixed = fixed_of(self, pos, p);
                    // A tag the member does not declare (only the mapping names it) may be left
                    // out by the server, so it does not make the member tag-only.
                    let req = fixed.as_ref().is_some_and(|f| f.1);
                    if let Some((vals, _)) = fixed {
                        for v in vals {
                            if !tags.contains(&v) {
                                tags.push(v);
                            }
                        }
                    }
                    (tags, req)
                }
                None => (vec![], false),
            })
            .collect();
        let mut tag_use: BTreeMap<&str, usize> = BTreeMap::new();
        for (tags, _) in &member_tags {
            for t in tags {
                *tag_use.entry(t.as_str()).or_default() += 1;
            }
        }
        let unique_tag =
            |tags: &[String]| tags.len() == 1 && tag_use.get(tags[0].as_str()) == Some(&1);
        for (pos, (i, m)) in members.iter().enumerate() {
            let mptr = format!("{ptr}/{i}");
            let resolved = self.deref(m);
            // Inline string literals become unit variants.
            if m.get("$ref").is_none() {
                if let Some(vals) = string_values(resolved) {
                    let types = type_list(resolved);
                    if types.is_empty() || types.iter().all(|t| *t == "string" || *t == "null") {
                        for v in vals {
                            let vn = push_name(pascal(&v), &mut used);
                            variants.push(Variant {
                                name: vn,
                                payload: None,
                                literal: Some(v),
                                tags: vec![],
                                tag_required: false,
                                kinds: kinds::STRING,
                                rank: (0, 0),
                                doc: desc(m),
                            });
                        }
                        self.registry
                            .entry(mptr.clone())
                            .or_insert_with(|| name.to_owned());
                        continue;
                    }
                }
            }
            let (tags, tag_required) = member_tags[pos].clone();
            let kinds = self.kinds_of(m, 0);
            let base_name = if unique_tag(&tags) {
                pascal(&tags[0])
            } else if let Some(rn) = self.ref_name(m) {
                shorten(name, &self.comp_names[rn])
            } else if !tags.is_empty() {
                // A tag shared with other members: say which side of the API this one is from
                // when its description does, e.g. `OutputMessage` beside `Message`.
                let d = desc(resolved).unwrap_or_default().to_ascii_lowercase();
                let side = if d.starts_with("an output") {
                    "Output"
                } else if d.starts_with("an input") {
                    "Input"
                } else {
                    ""
                };
                format!("{side}{}", pascal(&tags[0]))
            } else if let Some(t) = resolved.get("title").and_then(Value::as_str) {
                pascal(t)
            } else {
                match kinds {
                    kinds::STRING => "String".into(),
                    kinds::NUMBER => {
                        if type_list(resolved).contains(&"integer") {
                            "Integer".into()
                        } else {
                            "Number".into()
                        }
                    }
                    kinds::BOOL => "Bool".into(),
                    kinds::ARRAY => self.array_name(resolved, 0),
                    kinds::OBJECT => "Object".into(),
                    _ => "Value".into(),
                }
            };
            let alternatives = if used.contains(&base_name) {
                self.variant_alternatives(resolved, member_props[pos].as_ref())
            } else {
                Vec::new()
            };
            let vname = naming::variant_name(&base_name, &alternatives, &used);
            used.insert(vname.clone());
            let hint = format!("{name}{SEP}{vname}");
            let (ty, _) = self.ty(m, &mptr, &hint);
            let rank = member_props[pos]
                .as_ref()
                .map(|(p, r)| (r.len(), p.len()))
                .unwrap_or((0, 0));
            variants.push(Variant {
                name: vname,
                payload: Some(ty),
                literal: None,
                tags,
                tag_required,
                kinds,
                rank,
                doc: desc(m).or_else(|| desc(resolved)),
            });
        }
        let tag = tag.filter(|_| variants.iter().any(|v| !v.tags.is_empty()));
        self.defs.push(Def {
            name: name.to_owned(),
            doc: desc(s),
            kind: Kind::Union(Union { variants, tag }),
            component: false,
            deprecated: is_deprecated(s),
        });
    }

    /// Other names for a union member whose first name is taken by another member: from its
    /// string format (`Date`, `DateOrDateTime` for members that are strings of those formats),
    /// from its required properties (`Prompt` beside `Messages`), from its title.
    fn variant_alternatives(&self, s: &Value, props: Option<&Props<'a>>) -> Vec<String> {
        let mut out = Vec::new();
        let format_of = |m: &Value| m.get("format").and_then(Value::as_str).map(pascal);
        if let Some(f) = format_of(s) {
            out.push(f);
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(m) = s.get(key).and_then(Value::as_array) {
                let formats: Option<Vec<String>> =
                    m.iter().map(|x| format_of(self.deref(x))).collect();
                if let Some(f) = formats.filter(|f| !f.is_empty()) {
                    out.push(f.join("Or"));
                }
            }
        }
        if let Some((_, required)) = props {
            if !required.is_empty() && required.len() <= 2 {
                out.push(
                    required
                        .iter()
                        .map(|r| pascal(r))
                        .collect::<Vec<_>>()
                        .join("And"),
                );
            }
        }
        if let Some(t) = s.get("title").and_then(Value::as_str) {
            out.push(pascal(t));
        }
        out
    }

    /// A variant name for an array member, from what it holds: `StringList`, `NumberListList`.
    fn array_name(&self, s: &Value, depth: usize) -> String {
        let items = s.get("items");
        let inner = match items {
            None => "Value".to_owned(),
            Some(it) => {
                if let Some(r) = self.ref_name(it) {
                    self.comp_names
                        .get(r)
                        .cloned()
                        .unwrap_or_else(|| "Value".into())
                } else {
                    let t = type_list(it);
                    match t.first().copied() {
                        Some("array") if depth < 4 => {
                            return format!("{}List", self.array_name(it, depth + 1))
                        }
                        Some("string") => "String".into(),
                        Some("number") => "Number".into(),
                        Some("integer") => "Integer".into(),
                        Some("boolean") => "Bool".into(),
                        _ => "Object".into(),
                    }
                }
            }
        };
        format!("{inner}List")
    }

    fn operations(&mut self) -> Result<Vec<Operation>, String> {
        let mut ops = Vec::new();
        let Some(paths) = self.spec.get("paths").and_then(Value::as_object) else {
            return Ok(ops);
        };
        let tag_names: BTreeMap<String, String> = self
            .spec
            .get("tags")
            .and_then(Value::as_array)
            .map(|tags| {
                tags.iter()
                    .filter_map(|t| {
                        let name = t.get("name")?.as_str()?;
                        let shown = t
                            .get("x-displayName")
                            .and_then(Value::as_str)
                            .unwrap_or(name);
                        Some((name.to_owned(), shown.to_owned()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        for (path, item) in paths {
            for method in [
                "get", "put", "post", "delete", "options", "head", "patch", "trace",
            ] {
                let Some(op) = item.get(method) else { continue };
                ops.push(self.operation(path, method, op, &tag_names)?);
            }
        }
        Ok(ops)
    }

    fn operation(
        &mut self,
        path: &str,
        method: &str,
        op: &'a Value,
        tag_names: &BTreeMap<String, String>,
    ) -> Result<Operation, String> {
        let id = op
            .get("operationId")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("{method} {path} has no operationId"))?
            .to_owned();
        let op_name = pascal(&id);
        let base_ptr = format!("#/paths/{}/{method}", esc(path));
        let tag = op
            .get("tags")
            .and_then(|t| t.get(0))
            .and_then(Value::as_str)
            .unwrap_or("default");
        let group = match op.get("x-speakeasy-group").and_then(Value::as_str) {
            Some(g) => snake(g),
            None => snake(tag_names.get(tag).map(String::as_str).unwrap_or(tag)),
        };
        let method_name = match crate::overrides::method_name(&id) {
            Some(name) => name.to_owned(),
            None => crate::naming::method_name(
                &group,
                op.get("x-speakeasy-name-override")
                    .and_then(Value::as_str)
                    .unwrap_or(&id),
                method,
            ),
        };
        let mut path_params = Vec::new();
        let mut headers = Vec::new();
        let mut query_fields = Vec::new();
        if let Some(params) = op.get("parameters").and_then(Value::as_array) {
            for (i, p) in params.iter().enumerate() {
                let p = self.deref(p);
                let name = p
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                let location = p.get("in").and_then(Value::as_str).unwrap_or_default();
                let required = p.get("required").and_then(Value::as_bool).unwrap_or(false);
                let sptr = format!("{base_ptr}/parameters/{i}/schema");
                let hint = format!("{op_name}{}", pascal(&name));
                let (ty, nullable) = match p.get("schema") {
                    Some(s) => self.ty(s, &sptr, &hint),
                    None => (Ty::String, false),
                };
                let param = Param {
                    ident: snake(&name),
                    name: name.clone(),
                    ty: ty.clone(),
                    required,
                    doc: desc(p),
                };
                match location {
                    "path" => path_params.push(param),
                    "header" => headers.push(param),
                    "query" => {
                        let explode = p.get("explode").and_then(Value::as_bool).unwrap_or(true);
                        query_fields.push(Field {
                            ident: snake(&name),
                            json: name,
                            ty,
                            required,
                            nullable,
                            tristate: false,
                            doc: desc(p),
                            deprecated: is_deprecated(p),
                            fixed: false,
                            explode,
                            in_new: required && !nullable,
                            // Parameters in the spec's order.
                            order: query_fields.len(),
                        });
                    }
                    _ => {}
                }
            }
        }
        let query = if query_fields.is_empty() {
            None
        } else {
            let name = self.unique(&format!("{op_name}Query"));
            self.defs.push(Def {
                name: name.clone(),
                doc: Some(format!(
                    "Query parameters of `{id}` (`{} {path}`).",
                    method.to_uppercase()
                )),
                kind: Kind::Struct {
                    fields: query_fields,
                    query: true,
                },
                component: false,
                deprecated: false,
            });
            Some(name)
        };
        let mut body = None;
        let mut body_required = false;
        if let Some(rb) = op.get("requestBody") {
            let rb = self.deref(rb);
            body_required = rb.get("required").and_then(Value::as_bool).unwrap_or(false);
            let content = rb.get("content").and_then(Value::as_object);
            let bptr = format!("{base_ptr}/requestBody/content");
            if let Some(content) = content {
                // Prefer multipart when offered: it is how files are uploaded.
                for (ct, kind) in [
                    ("multipart/form-data", 1),
                    ("application/json", 0),
                    ("application/x-www-form-urlencoded", 2),
                ] {
                    let Some(s) = content.get(ct).and_then(|m| m.get("schema")) else {
                        continue;
                    };
                    let hint = if kind == 1 {
                        format!("{op_name}Form")
                    } else {
                        format!("{op_name}Request")
                    };
                    let (ty, _) = self.ty(s, &format!("{bptr}/{}/schema", esc(ct)), &hint);
                    body = Some(match kind {
                        1 => Body::Multipart(ty),
                        0 => Body::Json(ty),
                        _ => Body::Form(ty),
                    });
                    break;
                }
                // Register the JSON alternative of a multipart body too, so its examples are checked.
                if let (Some(Body::Multipart(_)), Some(s)) = (
                    &body,
                    content
                        .get("application/json")
                        .and_then(|m| m.get("schema")),
                ) {
                    let _ = self.ty(
                        s,
                        &format!("{bptr}/application~1json/schema"),
                        &format!("{op_name}Request"),
                    );
                }
            }
        }
        let mut response = Response::Empty;
        let mut success_status = 200;
        let mut errors = Vec::new();
        if let Some(rs) = op.get("responses").and_then(Value::as_object) {
            for (status, r) in rs {
                let r = self.deref(r);
                let code: u16 = status.parse().unwrap_or(0);
                let rptr = format!("{base_ptr}/responses/{}/content", esc(status));
                let content = r.get("content").and_then(Value::as_object);
                if let Some(headers) = r.get("headers").and_then(Value::as_object) {
                    for (h, hv) in headers {
                        if let Some(hs) = hv.get("schema") {
                            let hptr = format!(
                                "#/paths/{}/{method}/responses/{}/headers/{}/schema",
                                esc(path),
                                esc(status),
                                esc(h)
                            );
                            self.ty(hs, &hptr, &format!("{op_name}{}Header", pascal(h)));
                        }
                    }
                }
                if (200..300).contains(&code) {
                    if !matches!(response, Response::Empty) {
                        continue;
                    }
                    success_status = code;
                    let Some(content) = content else { continue };
                    let mut json = None;
                    let mut sse = None;
                    let mut binary = None;
                    for (ct, media) in content {
                        let s = media.get("schema");
                        let mptr = format!("{rptr}/{}/schema", esc(ct));
                        if ct == "application/json" {
                            if let Some(s) = s {
                                json = Some(self.ty(s, &mptr, &format!("{op_name}Response")).0);
                            }
                        } else if ct == "text/event-stream" {
                            let sentinel = media
                                .get("x-speakeasy-sse-sentinel")
                                .and_then(Value::as_str)
                                .map(str::to_owned);
                            let event = match s {
                                Some(s) => {
                                    let (wrapper, _) =
                                        self.ty(s, &mptr, &format!("{op_name}StreamEvent"));
                                    // The spec wraps each event as `{data: Event}`: the payload is the
                                    // `data` property's type.
                                    let data =
                                        self.object_props_at(s, Some(mptr.clone())).and_then(
                                            |(p, _)| p.into_iter().find(|(n, _, _)| n == "data"),
                                        );
                                    match data {
                                        Some((_, ds, dptr)) => {
                                            self.ty(ds, &dptr, &format!("{op_name}StreamEventData"))
                                                .0
                                        }
                                        None => wrapper,
                                    }
                                }
                                None => Ty::String,
                            };
                            sse = Some((event, sentinel));
                        } else {
                            self.record(&mptr, &Ty::Binary, false);
                            binary = Some(ct.clone());
                        }
                    }
                    response = match (json, sse, binary) {
                        (Some(json), Some((event, sentinel)), _) => Response::JsonOrSse {
                            json,
                            event,
                            sentinel,
                        },
                        (Some(json), None, _) => Response::Json(json),
                        (None, Some((event, sentinel)), _) => Response::Sse { event, sentinel },
                        (None, None, Some(content_type)) => Response::Binary { content_type },
                        (None, None, None) => Response::Empty,
                    };
                } else if code >= 400 {
                    let ty = content
                        .and_then(|c| c.get("application/json"))
                        .and_then(|m| m.get("schema"))
                        .map(|s| {
                            self.ty(
                                s,
                                &format!("{rptr}/application~1json/schema"),
                                &format!("{op_name}Error{code}"),
                            )
                            .0
                        });
                    errors.push((code, ty));
                }
            }
        }
        let pagination = op.get("x-speakeasy-pagination").and_then(|p| {
            let results = p
                .pointer("/outputs/results")
                .and_then(Value::as_str)
                .unwrap_or("$.data")
                .to_owned();
            match p.get("type").and_then(Value::as_str)? {
                "offsetLimit" => Some(Pagination::OffsetLimit { results }),
                "cursor" => Some(Pagination::Cursor {
                    param: p
                        .pointer("/inputs/0/name")
                        .and_then(Value::as_str)
                        .unwrap_or("cursor")
                        .to_owned(),
                    next: p
                        .pointer("/outputs/nextCursor")
                        .and_then(Value::as_str)
                        .unwrap_or("$.cursor")
                        .to_owned(),
                    results,
                }),
                _ => None,
            }
        });
        let description = desc(op);
        let management_key = description
            .as_deref()
            .map(|d| d.to_ascii_lowercase())
            .is_some_and(|d| d.contains("management key") || d.contains("management api key"));
        Ok(Operation {
            id,
            group,
            method_name,
            http_method: method.to_uppercase(),
            path: path.to_owned(),
            path_params,
            query,
            headers,
            body,
            body_required,
            success_status,
            response,
            pagination,
            errors,
            management_key,
            deprecated: is_deprecated(op),
            summary: op.get("summary").and_then(Value::as_str).map(str::to_owned),
            description,
            stream_field: op
                .get("x-speakeasy-stream-request-field")
                .and_then(Value::as_str)
                .map(str::to_owned),
        })
    }

    /// Each def's position in `defs`, by name.
    fn def_index(&self) -> HashMap<String, usize> {
        self.defs
            .iter()
            .enumerate()
            .map(|(i, d)| (d.name.clone(), i))
            .collect()
    }

    /// Boxes the optional fields whose type is a large struct or union (more than
    /// [`LARGE_FIELD`] bytes inline, estimated): such a field is absent from most values (a
    /// stream chunk's `usage`, `error` and `openrouter_metadata`), and inline it makes every
    /// value of the parent that much larger to build and move, present or not. Boxed, an
    /// absent field costs one word. Setters and constructors box for the caller.
    fn box_large(&mut self) {
        let index = self.def_index();
        let mut sizes: HashMap<String, usize> = HashMap::new();
        for d in &self.defs {
            def_size(&d.name, &self.defs, &index, &mut sizes);
        }
        for d in &mut self.defs {
            let Kind::Struct { fields, .. } = &mut d.kind else {
                continue;
            };
            for f in fields.iter_mut() {
                let large = |t: &Ty| matches!(t, Ty::Named(n) if sizes.get(n).is_some_and(|&s| s > LARGE_FIELD));
                // An optional field's `Option` is added when it is emitted; a nullable one
                // carries it already.
                let boxed = match &f.ty {
                    Ty::Option(inner) if large(inner) => {
                        Some(Ty::Option(Box::new(Ty::Boxed(inner.clone()))))
                    }
                    t if !f.required && large(t) => Some(Ty::Boxed(Box::new(t.clone()))),
                    _ => None,
                };
                if let Some(t) = boxed {
                    f.ty = t;
                }
            }
        }
    }

    /// Boxes the fields and variants that close a cycle of direct containment, so every type has
    /// a finite size.
    fn box_recursion(&mut self) {
        let index = self.def_index();
        let edges: Vec<Vec<usize>> = self
            .defs
            .iter()
            .map(|d| {
                let mut names = Vec::new();
                match &d.kind {
                    Kind::Struct { fields, .. } => {
                        fields.iter().for_each(|f| f.ty.direct_names(&mut names))
                    }
                    Kind::Union(u) => u.variants.iter().for_each(|v| {
                        if let Some(t) = &v.payload {
                            t.direct_names(&mut names)
                        }
                    }),
                    Kind::Alias(t) => t.direct_names(&mut names),
                    Kind::Enum { .. } => {}
                }
                names.iter().filter_map(|n| index.get(n).copied()).collect()
            })
            .collect();
        let scc = tarjan(&edges);
        for i in 0..self.defs.len() {
            let my = scc[i];
            let in_cycle = |t: &Ty| {
                let mut names = Vec::new();
                t.direct_names(&mut names);
                names
                    .iter()
                    .any(|n| index.get(n).is_some_and(|&j| scc[j] == my))
            };
            let boxed = |t: &Ty| match t {
                Ty::Option(inner) => Ty::Option(Box::new(Ty::Boxed(inner.clone()))),
                other => Ty::Boxed(Box::new(other.clone())),
            };
            let self_loop = edges[i].contains(&i);
            let cyclic = self_loop || scc.iter().filter(|&&c| c == my).count() > 1;
            if !cyclic {
                continue;
            }
            match &mut self.defs[i].kind {
                Kind::Struct { fields, .. } => {
                    for f in fields.iter_mut() {
                        if in_cycle(&f.ty) {
                            f.ty = boxed(&f.ty);
                        }
                    }
                }
                Kind::Union(u) => {
                    for v in u.variants.iter_mut() {
                        if let Some(t) = &v.payload {
                            if in_cycle(t) {
                                v.payload = Some(boxed(t));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

/// Keywords that only document a schema: two schemas that differ only in these decode and encode
/// the same values the same way.
const DOC_ONLY: &[&str] = &[
    "description",
    "example",
    "examples",
    "title",
    "deprecated",
    "externalDocs",
];

/// Properties that `overrides::patch_spec` adds to components (what the API sends beside what the
/// spec declares). An inline copy of such a component, which the patch does not reach, is still
/// that component: the additions are optional, so a value without them decodes and encodes the
/// same, and with them they are typed instead of kept in `extra`.
const PATCHED: &[(&str, &str)] = &[
    ("ChatChoice", "error"),
    ("ChatStreamChoice", "error"),
    ("ChatResult", "provider"),
    ("ChatStreamChunk", "provider"),
    ("ChatChoice", "native_finish_reason"),
    ("ChatStreamChoice", "native_finish_reason"),
];

/// A schema in a canonical form for comparison: documentation keywords dropped, object keys
/// sorted, and every subschema that is identical to a component replaced by a reference to it
/// (so an inline copy of a component whose parts are references compares equal to it).
fn canonical(s: &Value, table: &HashMap<String, String>) -> Value {
    let Some(o) = s.as_object() else {
        return s.clone();
    };
    if let Some(r) = o.get("$ref") {
        return serde_json::json!({ "$ref": r });
    }
    let mut keys: Vec<&String> = o.keys().collect();
    keys.sort();
    let mut out = Map::new();
    for k in keys {
        if DOC_ONLY.contains(&k.as_str()) || k.starts_with("x-") {
            continue;
        }
        let x = &o[k];
        let c = match k.as_str() {
            "properties" | "patternProperties" => {
                let mut props: Vec<(&String, &Value)> = x
                    .as_object()
                    .map(|m| m.iter().collect())
                    .unwrap_or_default();
                props.sort_by(|a, b| a.0.cmp(b.0));
                Value::Object(
                    props
                        .into_iter()
                        .map(|(n, p)| (n.clone(), canonical_sub(p, table)))
                        .collect(),
                )
            }
            "items" | "additionalProperties" | "not" if x.is_object() => canonical_sub(x, table),
            "allOf" | "anyOf" | "oneOf" => Value::Array(
                x.as_array()
                    .map(|a| a.iter().map(|m| canonical_sub(m, table)).collect())
                    .unwrap_or_default(),
            ),
            "required" => {
                let mut r: Vec<Value> = x.as_array().cloned().unwrap_or_default();
                r.sort_by_key(|v| v.to_string());
                Value::Array(r)
            }
            _ => x.clone(),
        };
        out.insert(k.clone(), c);
    }
    Value::Object(out)
}

fn canonical_sub(s: &Value, table: &HashMap<String, String>) -> Value {
    let c = canonical(s, table);
    match table.get(&c.to_string()) {
        Some(name) => serde_json::json!({ "$ref": format!("#/components/schemas/{}", esc(name)) }),
        None => c,
    }
}

/// Whether a component becomes a type of its own (an object, an enum of several values, a union,
/// a flattened `allOf`): only those stand for their inline copies. A component that is a string,
/// a list or a single constant is not a name anyone would want for an identical inline schema.
fn dedup_candidate(s: &Value) -> bool {
    let non_null = |k: &str| {
        s.get(k)
            .and_then(Value::as_array)
            .is_some_and(|m| m.iter().filter(|x| type_list(x) != ["null"]).count() >= 2)
    };
    s.get("$ref").is_none()
        && (s.get("properties").is_some()
            || string_values(s).is_some_and(|v| v.len() >= 2)
            || non_null("anyOf")
            || non_null("oneOf")
            || s.get("allOf")
                .and_then(Value::as_array)
                .is_some_and(|a| a.len() >= 2))
}

/// The canonical text of every component that may stand for its inline copies (see
/// `dedup_candidate`), to the component's name; the first component wins a tie. Computed to a
/// fixed point, since a component's canonical form refers to the components inside it.
fn component_canon(
    schemas: &Map<String, Value>,
    patch_bodies: &BTreeSet<String>,
    comp_names: &BTreeMap<String, String>,
) -> HashMap<String, String> {
    let mut table: HashMap<String, String> = HashMap::new();
    for _ in 0..8 {
        let mut next: HashMap<String, String> = HashMap::new();
        for (name, schema) in schemas {
            if !dedup_candidate(schema) || patch_bodies.contains(&comp_names[name]) {
                continue;
            }
            let mut schema = schema.clone();
            if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
                for (c, p) in PATCHED {
                    if c == name {
                        props.remove(*p);
                    }
                }
            }
            // Without the component itself in the table, its own parts are still compared.
            let key = canonical(&schema, &table).to_string();
            next.entry(key).or_insert_with(|| name.clone());
        }
        if next == table {
            break;
        }
        table = next;
    }
    table
}

impl Field {
    /// The Rust type of the field as declared in the struct.
    pub fn decl_ty(&self) -> String {
        let inner = self.ty.rust();
        if self.tristate {
            format!("Option<Option<{inner}>>")
        } else if !self.required || self.nullable {
            format!("Option<{inner}>")
        } else {
            inner
        }
    }

    /// Whether a constructor must take this field as an argument.
    pub fn in_constructor(&self) -> bool {
        self.in_new
    }

    pub fn defaultable(&self) -> bool {
        !self.in_constructor() || self.ty.has_default() || self.fixed
    }
}

/// Strongly connected components (Tarjan), as a component id per node.
fn tarjan(edges: &[Vec<usize>]) -> Vec<usize> {
    struct St<'e> {
        edges: &'e [Vec<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        comp: Vec<usize>,
        ncomp: usize,
    }
    fn visit(st: &mut St<'_>, v: usize) {
        st.index[v] = Some(st.next);
        st.low[v] = st.next;
        st.next += 1;
        st.stack.push(v);
        st.on[v] = true;
        for &w in &st.edges[v] {
            match st.index[w] {
                None => {
                    visit(st, w);
                    st.low[v] = st.low[v].min(st.low[w]);
                }
                Some(iw) if st.on[w] => st.low[v] = st.low[v].min(iw),
                _ => {}
            }
        }
        if Some(st.low[v]) == st.index[v] {
            loop {
                let w = st.stack.pop().unwrap();
                st.on[w] = false;
                st.comp[w] = st.ncomp;
                if w == v {
                    break;
                }
            }
            st.ncomp += 1;
        }
    }
    let n = edges.len();
    let mut st = St {
        edges,
        index: vec![None; n],
        low: vec![0; n],
        on: vec![false; n],
        stack: Vec::new(),
        next: 0,
        comp: vec![0; n],
        ncomp: 0,
    };
    for v in 0..n {
        if st.index[v].is_none() {
            visit(&mut st, v);
        }
    }
    st.comp
}

/// A variant name from a member type's name, without the words it shares with the union's name
/// at either end: `ChatNamedToolChoice` in `ChatToolChoice` is `Named`.
fn shorten(union: &str, member: &str) -> String {
    fn split(s: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut start = 0;
        for (i, c) in s.char_indices().skip(1) {
            if c.is_ascii_uppercase() {
                out.push(&s[start..i]);
                start = i;
            }
        }
        out.push(&s[start..]);
        out
    }
    let u = split(union);
    let m = split(member);
    let mut lo = 0;
    while lo < u.len() && lo < m.len() && u[lo] == m[lo] {
        lo += 1;
    }
    let mut hi = m.len();
    let mut uhi = u.len();
    while hi > lo && uhi > 0 && m[hi - 1] == u[uhi - 1] {
        hi -= 1;
        uhi -= 1;
    }
    let rest = m[lo..hi].concat();
    if rest.is_empty() || rest.starts_with(|c: char| c.is_ascii_digit()) {
        member.to_owned()
    } else {
        rest
    }
}
