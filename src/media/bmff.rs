//! A bounded walker over ISO base media boxes (HEIF, MP4, QuickTime). Sizes come from the file
//! and are never trusted: every read is checked against the enclosing box and the input length.

/// One box: its four-character type and its payload.
pub struct BoxRef<'a> {
    pub kind: [u8; 4],
    pub payload: &'a [u8],
}

/// Iterates over the boxes laid end to end in `data`; stops at the first malformed header.
pub fn boxes(data: &[u8]) -> impl Iterator<Item = BoxRef<'_>> {
    let mut pos = 0usize;
    std::iter::from_fn(move || {
        let header = data.get(pos..pos + 8)?;
        let size32 = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as u64;
        let kind = [header[4], header[5], header[6], header[7]];
        let (header_len, size) = match size32 {
            0 => (8, (data.len() - pos) as u64),
            1 => {
                let large = data.get(pos + 8..pos + 16)?;
                (16, u64::from_be_bytes(large.try_into().ok()?))
            }
            n => (8, n),
        };
        if size < header_len as u64 {
            return None;
        }
        let end = pos.checked_add(usize::try_from(size).ok()?)?;
        let payload = data.get(pos + header_len..end)?;
        pos = end;
        Some(BoxRef { kind, payload })
    })
}

/// The first child box of the given type.
pub fn child<'a>(data: &'a [u8], kind: &[u8; 4]) -> Option<&'a [u8]> {
    boxes(data).find(|b| &b.kind == kind).map(|b| b.payload)
}

/// The largest image spatial extent (`ispe`) of a HEIF file: the primary image's size in
/// practice (thumbnails are smaller). Only the head of the file is needed.
pub fn heif_size(data: &[u8]) -> Option<(u32, u32)> {
    // `meta` is a full box: 4 bytes of version and flags before its children.
    let meta = child(data, b"meta")?.get(4..)?;
    let ipco = child(child(meta, b"iprp")?, b"ipco")?;
    boxes(ipco)
        .filter(|b| &b.kind == b"ispe")
        .filter_map(|b| {
            let p = b.payload.get(4..12)?;
            Some((
                u32::from_be_bytes([p[0], p[1], p[2], p[3]]),
                u32::from_be_bytes([p[4], p[5], p[6], p[7]]),
            ))
        })
        .max_by_key(|(w, h)| u64::from(*w) * u64::from(*h))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bx(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
        let mut v = ((payload.len() + 8) as u32).to_be_bytes().to_vec();
        v.extend_from_slice(kind);
        v.extend_from_slice(payload);
        v
    }

    #[test]
    fn reads_heif_extent_and_survives_lies() {
        let mut ispe = vec![0u8; 4];
        ispe.extend_from_slice(&4032u32.to_be_bytes());
        ispe.extend_from_slice(&3024u32.to_be_bytes());
        let ipco = bx(b"ipco", &bx(b"ispe", &ispe));
        let mut meta = vec![0u8; 4];
        meta.extend(bx(b"iprp", &ipco));
        let mut file = bx(b"ftyp", b"heic\0\0\0\0mif1heic");
        file.extend(bx(b"meta", &meta));
        assert_eq!(heif_size(&file), Some((4032, 3024)));
        // A box claiming more bytes than there are ends the walk instead of reading past the end.
        let mut lying = file.clone();
        lying[24..28].copy_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(heif_size(&lying), None);
    }
}
