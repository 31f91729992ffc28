//! Forward compatibility with hand-made payloads: what the server may send tomorrow decodes today.
