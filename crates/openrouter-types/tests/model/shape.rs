//! Pins the shape of the spec the model was generated from, so that a spec update shows up as a
//! readable diff of these numbers.

use std::collections::BTreeSet;

use openrouter_types::generated::operations::OPERATIONS;
use openrouter_types::operation::{BodyEncoding, Pagination, ResponseKind};

#[test]
fn operation_table_shape() {
    let ops = OPERATIONS;
    let count = |f: &dyn Fn(&openrouter_types::operation::Operation) -> bool| {
        ops.iter().filter(|o| f(o)).count()
    };
    let shape = format!(
        "operations: {}\nstreaming: {}\nmultipart: {}\nbinary responses: {}\noffset-paginated: {}\ncursor-paginated: {}\nmanagement key: {}\ndeprecated: {}\ngroups: {}",
        ops.len(),
        count(&|o| o.streams()),
        count(&|o| o.body.is_some_and(|b| b.encoding == BodyEncoding::Multipart)),
        count(&|o| matches!(o.response, ResponseKind::Binary { .. })),
        count(&|o| matches!(o.pagination, Some(Pagination::OffsetLimit { .. }))),
        count(&|o| matches!(o.pagination, Some(Pagination::Cursor { .. }))),
        count(&|o| o.management_key),
        count(&|o| o.deprecated),
        ops.iter().map(|o| o.group).collect::<BTreeSet<_>>().len(),
    );
    let expected = "\
operations: 145
streaming: 6
multipart: 2
binary responses: 4
offset-paginated: 25
cursor-paginated: 3
management key: 77
deprecated: 3
groups: 37";
    assert_eq!(shape, expected, "the spec's shape changed:\n{shape}");
}

#[test]
fn operation_ids_and_method_names_are_unique() {
    let mut ids = BTreeSet::new();
    let mut methods = BTreeSet::new();
    for op in OPERATIONS {
        assert!(ids.insert(op.id), "duplicate operation id {}", op.id);
        assert!(
            methods.insert((op.group, op.method_name)),
            "two operations map to {}.{}",
            op.group,
            op.method_name
        );
    }
}

#[test]
fn table_agrees_with_the_spec() {
    let spec = spec_or_skip!();
    let mut from_spec = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if let Some(id) = op.get("operationId").and_then(|v| v.as_str()) {
                from_spec.insert((method.to_uppercase(), path.clone(), id.to_owned()));
            }
        }
    }
    let from_table: BTreeSet<(String, String, String)> = OPERATIONS
        .iter()
        .map(|o| (o.http_method.to_owned(), o.path.to_owned(), o.id.to_owned()))
        .collect();
    assert_eq!(from_spec, from_table);
}
