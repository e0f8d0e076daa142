//! The fast path for JPEG: libjpeg-turbo's TurboJPEG API (the codec libvips and Pillow use).
//! Decoding with DCT scaling by 1/2, 1/4 or 1/8, and baseline 4:2:0 encoding. Compiled only
//! when the build finds the system library (see build.rs). Decoding handles YCbCr, RGB and
//! grayscale files; anything else, and any file it reports a problem with (even a recoverable
//! one), goes to the pure-Rust decoder, which then decides the error code.

use std::ffi::{c_char, c_int, c_uchar, c_ulong, c_void, CStr};

use image::RgbImage;

#[repr(C)]
struct ScalingFactor {
    num: c_int,
    denom: c_int,
}

#[link(name = "turbojpeg")]
extern "C" {
    fn tjInitDecompress() -> *mut c_void;
    fn tjDecompressHeader3(
        handle: *mut c_void,
        jpeg: *const c_uchar,
        size: c_ulong,
        width: *mut c_int,
        height: *mut c_int,
        subsampling: *mut c_int,
        colorspace: *mut c_int,
    ) -> c_int;
    fn tjGetScalingFactors(count: *mut c_int) -> *const ScalingFactor;
    fn tjDecompress2(
        handle: *mut c_void,
        jpeg: *const c_uchar,
        size: c_ulong,
        dst: *mut c_uchar,
        width: c_int,
        pitch: c_int,
        height: c_int,
        pixel_format: c_int,
        flags: c_int,
    ) -> c_int;
    fn tjGetErrorStr2(handle: *mut c_void) -> *const c_char;
    fn tjInitCompress() -> *mut c_void;
    fn tjCompress2(
        handle: *mut c_void,
        src: *const c_uchar,
        width: c_int,
        pitch: c_int,
        height: c_int,
        pixel_format: c_int,
        jpeg: *mut *mut c_uchar,
        size: *mut c_ulong,
        subsampling: c_int,
        quality: c_int,
        flags: c_int,
    ) -> c_int;
    fn tjFree(buffer: *mut c_uchar);
    fn tjDestroy(handle: *mut c_void) -> c_int;
}

const TJPF_RGB: c_int = 0;
const TJFLAG_ACCURATEDCT: c_int = 4096;
const TJFLAG_FASTUPSAMPLE: c_int = 256;
const TJSAMP_444: c_int = 0;
const TJSAMP_420: c_int = 2;
const TJCS_RGB: c_int = 0;
const TJCS_YCBCR: c_int = 1;
const TJCS_GRAY: c_int = 2;

/// A TurboJPEG handle (compressor or decompressor), destroyed on drop.
struct Handle(*mut c_void);

impl Drop for Handle {
    fn drop(&mut self) {
        // SAFETY: the handle came from tjInitDecompress and is destroyed once.
        unsafe { tjDestroy(self.0) };
    }
}

impl Handle {
    fn error(&self) -> String {
        // SAFETY: TurboJPEG returns a NUL-terminated string owned by the handle.
        unsafe { CStr::from_ptr(tjGetErrorStr2(self.0)) }
            .to_string_lossy()
            .into_owned()
    }
}

/// The smallest scaling factor (at most 1) whose output still covers `need`, as the output size.
fn scaled_size((w, h): (u32, u32), need: Option<(u32, u32)>) -> (u32, u32) {
    let Some((nw, nh)) = need else {
        return (w, h);
    };
    let mut count: c_int = 0;
    // SAFETY: returns a static array of `count` factors (or null).
    let factors = unsafe { tjGetScalingFactors(&mut count) };
    if factors.is_null() || count <= 0 {
        return (w, h);
    }
    // SAFETY: the library owns `count` valid, immutable entries for the process's lifetime.
    let factors = unsafe { std::slice::from_raw_parts(factors, count as usize) };
    let scaled =
        |d: u32, f: &ScalingFactor| ((u64::from(d) * f.num as u64).div_ceil(f.denom as u64)) as u32;
    factors
        .iter()
        // Powers of two only: libjpeg-turbo's other eighths use slower IDCTs (3/8 decoded
        // slower than 1/2 here, benches/renditions.rs), and resizing from more pixels is better.
        .filter(|f| f.num == 1 && matches!(f.denom, 1 | 2 | 4 | 8))
        .map(|f| (scaled(w, f), scaled(h, f)))
        .filter(|&(sw, sh)| sw >= nw.min(w) && sh >= nh.min(h))
        .min_by_key(|&(sw, sh)| u64::from(sw) * u64::from(sh))
        .unwrap_or((w, h))
}

/// Decodes at the smallest scale covering `need` (stored orientation). `None`: not for this
/// path (a colour space it leaves to the other decoder, or any problem), never a panic.
pub fn decode(bytes: &[u8], need: Option<(u32, u32)>) -> Option<RgbImage> {
    let size = c_ulong::try_from(bytes.len()).ok()?;
    // SAFETY: plain constructor; a null handle is checked.
    let handle = Handle(unsafe { tjInitDecompress() });
    if handle.0.is_null() {
        return None;
    }
    let (mut w, mut h, mut subsampling, mut colorspace) = (0, 0, 0, 0);
    // SAFETY: `bytes` is valid for `size` bytes; the out-pointers are valid locals.
    let status = unsafe {
        tjDecompressHeader3(
            handle.0,
            bytes.as_ptr(),
            size,
            &mut w,
            &mut h,
            &mut subsampling,
            &mut colorspace,
        )
    };
    if status != 0 || w <= 0 || h <= 0 {
        return None;
    }
    if !matches!(colorspace, TJCS_YCBCR | TJCS_GRAY | TJCS_RGB) {
        return None;
    }
    let (sw, sh) = scaled_size((w as u32, h as u32), need);
    let pitch = (sw as usize).checked_mul(3)?;
    let mut pixels = vec![0u8; pitch.checked_mul(sh as usize)?];
    // SAFETY: `pixels` holds exactly pitch × sh bytes, the size TurboJPEG writes for an output
    // of sw × sh RGB pixels (it picks the same scaling factor from these dimensions).
    let status = unsafe {
        tjDecompress2(
            handle.0,
            bytes.as_ptr(),
            size,
            pixels.as_mut_ptr(),
            sw as c_int,
            pitch as c_int,
            sh as c_int,
            TJPF_RGB,
            if (sw, sh) == (w as u32, h as u32) {
                0
            } else {
                TJFLAG_FASTUPSAMPLE
            },
        )
    };
    if status != 0 {
        let _ = handle.error(); // warnings too: the pure-Rust decoder decides
        return None;
    }
    RgbImage::from_raw(sw, sh, pixels)
}

/// Baseline JPEG with standard Huffman tables, as libjpeg's `cjpeg -quality Q` writes it (and
/// Pillow by default); chroma at full resolution or 4:2:0. `None` when the library refuses
/// (the caller falls back).
pub fn encode(image: &RgbImage, quality: u8, full_chroma: bool) -> Option<Vec<u8>> {
    let (w, h) = image.dimensions();
    let (w, h) = (c_int::try_from(w).ok()?, c_int::try_from(h).ok()?);
    // SAFETY: plain constructor; a null handle is checked.
    let handle = Handle(unsafe { tjInitCompress() });
    if handle.0.is_null() {
        return None;
    }
    let mut buffer: *mut c_uchar = std::ptr::null_mut();
    let mut size: c_ulong = 0;
    // SAFETY: the source holds w × h RGB pixels with a pitch of 3w; TurboJPEG allocates the
    // output buffer, which is copied then released with tjFree.
    let status = unsafe {
        tjCompress2(
            handle.0,
            image.as_raw().as_ptr(),
            w,
            w * 3,
            h,
            TJPF_RGB,
            &mut buffer,
            &mut size,
            if full_chroma { TJSAMP_444 } else { TJSAMP_420 },
            c_int::from(quality.clamp(1, 100)),
            // TurboJPEG compresses with the fast, less accurate DCT unless told otherwise:
            // 0.05 dB under libjpeg's (and Pillow's) default at the same size.
            TJFLAG_ACCURATEDCT,
        )
    };
    let out = (status == 0 && !buffer.is_null())
        // SAFETY: on success `buffer` holds `size` bytes.
        .then(|| unsafe { std::slice::from_raw_parts(buffer, size as usize) }.to_vec());
    if !buffer.is_null() {
        // SAFETY: allocated by TurboJPEG, freed once.
        unsafe { tjFree(buffer) };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::synth;

    #[test]
    fn scaled_decoding_matches_the_pure_rust_decoder() {
        let jpeg = synth::jpeg_with_exif(&synth::landscape(1600, 1200, 7), 92, &Default::default());
        for (need, size) in [
            (None, (1600, 1200)),
            (Some((800, 600)), (800, 600)),
            (Some((256, 192)), (400, 300)),
            (Some((1000, 750)), (1600, 1200)),
            (Some((100, 75)), (200, 150)),
        ] {
            let image = decode(&jpeg, need).unwrap();
            assert_eq!(image.dimensions(), size, "need {need:?}");
        }
        let ours = decode(&jpeg, None).unwrap();
        let mut reference = jpeg_decoder::Decoder::new(std::io::Cursor::new(&jpeg));
        let pixels = reference.decode().unwrap();
        let mse = ours
            .as_raw()
            .iter()
            .zip(&pixels)
            .map(|(&a, &b)| (f64::from(a) - f64::from(b)).powi(2))
            .sum::<f64>()
            / pixels.len() as f64;
        assert!(
            mse < 2.0,
            "libjpeg-turbo and jpeg-decoder disagree: MSE {mse}"
        );
    }

    #[test]
    fn encoding_round_trips() {
        let image = synth::landscape(640, 480, 5);
        let jpeg = encode(&image, 85, false).unwrap();
        let back = decode(&jpeg, None).unwrap();
        assert_eq!(back.dimensions(), (640, 480));
        let mse = image
            .as_raw()
            .iter()
            .zip(back.as_raw())
            .map(|(&a, &b)| (f64::from(a) - f64::from(b)).powi(2))
            .sum::<f64>()
            / image.as_raw().len() as f64;
        assert!(mse < 60.0, "MSE {mse}");
    }

    #[test]
    fn bad_files_are_left_to_the_other_decoder() {
        let jpeg = synth::jpeg_with_exif(&synth::landscape(640, 480, 3), 90, &Default::default());
        assert!(decode(&jpeg[..jpeg.len() / 2], None).is_none(), "truncated");
        assert!(decode(b"not a jpeg", None).is_none());
        assert!(decode(&[], None).is_none());
    }
}
