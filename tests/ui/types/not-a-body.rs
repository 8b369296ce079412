// `Gen` takes a body, which only the macros make: the error says how to name one.
fn takes(_: corogen::Gen<Vec<u32>>) {}

fn main() {}
