pub fn raindrops(n: u32) -> String {
    todo!("the sound of {n}")
}
