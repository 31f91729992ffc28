//! The few places where the generator departs from the spec's letter, each with its reason.
//! Everything else follows from the spec alone.

/// Optional fields that a type's constructor still takes because nearly every caller sets them:
/// OpenRouter routes on `model`, which the spec marks optional only because a preset or
/// `models` list may stand in for it.
const CONSTRUCTOR_EXTRAS: &[(&str, &str)] = &[
    ("ChatRequest", "model"),
    ("ResponsesRequest", "model"),
    ("MessagesRequest", "model"),
];

/// Whether `field` of `type_name` is a constructor argument although the spec makes it optional.
pub fn constructor_takes(type_name: &str, field: &str) -> bool {
    CONSTRUCTOR_EXTRAS
        .iter()
        .any(|(t, f)| *t == type_name && *f == field)
}
