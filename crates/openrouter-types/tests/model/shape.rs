//! Pins the shape of the spec the model was generated from.
