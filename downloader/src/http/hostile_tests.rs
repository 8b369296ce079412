//! Mutated and random responses: the reader may refuse them, never panic, never report more
//! body than the framing allows, and never buffer past its limits.

use super::*;

/// xorshift: reproducible noise.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const SAMPLES: [&[u8]; 4] = [
    b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\nX: y\r\n\r\n0123456789",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;e=1\r\nabcd\r\n2\r\nef\r\n0\r\nT: v\r\n\r\n",
    b"HTTP/1.0 200 OK\r\n\r\nuntil the close",
    b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 302 Found\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n",
];

/// Feeds `bytes` in pieces chosen by `noise`, then the close; checks the invariants.
fn survive(bytes: &[u8], noise: &mut Noise) {
    let limits = Limits {
        max_head_bytes: 512,
        max_headers: 8,
    };
    let mut reader = ResponseReader::with_limits(limits, false);
    let mut rest = bytes;
    let mut body = 0u64;
    let mut framing = None;
    let mut closed = false;
    loop {
        if rest.is_empty() {
            reader.feed_eof();
            closed = true;
        } else {
            let n = 1 + noise.below(rest.len().min(16));
            reader.feed(&rest[..n]);
            rest = &rest[n..];
        }
        loop {
            match reader.next() {
                Ok(Some(Event::Head(head))) => framing = Some(head.framing),
                Ok(Some(Event::Data(data))) => body += data.len() as u64,
                Ok(Some(Event::End)) | Err(_) => {
                    if let Some(Framing::Length(n)) = framing {
                        assert!(body <= n, "{body} > {n}");
                    }
                    return;
                }
                Ok(None) => break,
            }
        }
        assert!(
            reader.buffer_len() <= 4 * 1024,
            "buffer grew to {}",
            reader.buffer_len()
        );
        // After the close the reader must end or fail, never ask for more.
        assert!(
            !closed,
            "asked for more after the close: {:?}",
            String::from_utf8_lossy(bytes)
        );
    }
}

#[test]
fn mutated_responses() {
    let mut noise = Noise(0x2545_F491_4F6C_DD1D);
    for sample in SAMPLES {
        for _ in 0..2000 {
            let mut bytes = sample.to_vec();
            for _ in 0..1 + noise.below(3) {
                let at = noise.below(bytes.len());
                match noise.below(3) {
                    0 => bytes[at] = noise.next() as u8,
                    1 => {
                        bytes.remove(at);
                    }
                    _ => bytes.insert(at, b"\r\n:;0F \t"[noise.below(8)]),
                }
            }
            survive(&bytes, &mut noise);
        }
    }
}

#[test]
fn random_bytes() {
    let mut noise = Noise(7);
    for _ in 0..2000 {
        let len = noise.below(600);
        let mut bytes: Vec<u8> = (0..len).map(|_| noise.next() as u8).collect();
        if noise.below(2) == 0 {
            let mut prefixed = b"HTTP/1.1 200 OK\r\n".to_vec();
            prefixed.append(&mut bytes);
            bytes = prefixed;
        }
        survive(&bytes, &mut noise);
    }
}
