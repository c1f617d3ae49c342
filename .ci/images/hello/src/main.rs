fn main() {
    let mut buffer = itoa::Buffer::new();
    println!(
        "hello from a container, {} formatted by itoa",
        buffer.format(12345)
    );
}
