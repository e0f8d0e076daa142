//! HEIF/HEIC and AVIF pixels through the system's libheif (Debian: libheif-dev), linked when
//! build.rs finds it (`cfg(libheif)`); without it, HEIF photos are stored and their EXIF read,
//! and decoding answers `heif-unsupported`. libheif applies the file's own transformations
//! (`irot`, `imir`, `clap`), assembles grids, premultiplies nothing and converts 10-bit
//! sources to 8-bit RGB(A); an embedded thumbnail item is decoded instead of the full image
//! when it is large enough for what is asked.
//!
//! Hand-written FFI (the size of turbo.rs) because the `libheif-rs`/`libheif-sys` crates need
//! libheif ≥ 1.17 and Debian 12 ships 1.15.

use image::DynamicImage;

use super::{ProbeError, ProbeLimits};

/// What the primary image is, after libheif's transformations.
#[derive(Debug, Clone, PartialEq)]
pub struct Info {
    pub width: u32,
    pub height: u32,
    pub has_alpha: bool,
    /// An XMP packet stored as a metadata item (`mime`, `application/rdf+xml`).
    pub xmp: Option<Vec<u8>>,
}

/// A decoded HEIF image and its ICC profile.
pub struct Decoded {
    pub image: DynamicImage,
    pub icc: Option<Vec<u8>>,
}

/// Whether this build decodes HEIF.
pub fn available() -> bool {
    cfg!(libheif)
}

#[cfg(not(libheif))]
pub fn info(_bytes: &[u8]) -> Result<Info, ProbeError> {
    Err(ProbeError::Undecodable(
        "no HEIF decoder in this build".into(),
    ))
}

#[cfg(not(libheif))]
pub fn decode(
    _bytes: &[u8],
    _need: Option<(u32, u32)>,
    _limits: &ProbeLimits,
) -> Result<Decoded, ProbeError> {
    Err(ProbeError::Undecodable(
        "no HEIF decoder in this build".into(),
    ))
}

#[cfg(libheif)]
pub use with_libheif::{decode, info};

#[cfg(libheif)]
mod with_libheif {
    use std::ffi::{c_char, c_int, c_void, CStr};
    use std::ptr;

    use image::{DynamicImage, RgbImage, RgbaImage};

    use super::*;
    use crate::media::probe::{check_pixels, classify};

    /// Bytes of memory one decoded pixel may take inside libheif and here: YCbCr planes of up to
    /// 16 bits per sample (10-bit sources), the RGBA result and our copy of it.
    const BYTES_PER_PIXEL: u64 = 14;

    #[repr(C)]
    struct HeifError {
        code: c_int,
        subcode: c_int,
        message: *const c_char,
    }

    const COLORSPACE_RGB: c_int = 1;
    const CHROMA_RGB: c_int = 10;
    const CHROMA_RGBA: c_int = 11;
    const CHANNEL_INTERLEAVED: c_int = 10;
    const SUBERROR_END_OF_DATA: c_int = 100;

    #[link(name = "heif")]
    extern "C" {
        fn heif_context_alloc() -> *mut c_void;
        fn heif_context_free(ctx: *mut c_void);
        fn heif_context_read_from_memory_without_copy(
            ctx: *mut c_void,
            mem: *const c_void,
            size: usize,
            options: *const c_void,
        ) -> HeifError;
        fn heif_context_get_primary_image_handle(
            ctx: *mut c_void,
            out: *mut *mut c_void,
        ) -> HeifError;
        fn heif_image_handle_release(handle: *const c_void);
        fn heif_image_handle_get_width(handle: *const c_void) -> c_int;
        fn heif_image_handle_get_height(handle: *const c_void) -> c_int;
        fn heif_image_handle_has_alpha_channel(handle: *const c_void) -> c_int;
        fn heif_image_handle_get_number_of_thumbnails(handle: *const c_void) -> c_int;
        fn heif_image_handle_get_list_of_thumbnail_IDs(
            handle: *const c_void,
            ids: *mut u32,
            count: c_int,
        ) -> c_int;
        fn heif_image_handle_get_thumbnail(
            handle: *const c_void,
            id: u32,
            out: *mut *mut c_void,
        ) -> HeifError;
        fn heif_image_handle_get_list_of_metadata_block_IDs(
            handle: *const c_void,
            type_filter: *const c_char,
            ids: *mut u32,
            count: c_int,
        ) -> c_int;
        fn heif_image_handle_get_metadata_content_type(
            handle: *const c_void,
            id: u32,
        ) -> *const c_char;
        fn heif_image_handle_get_metadata_size(handle: *const c_void, id: u32) -> usize;
        fn heif_image_handle_get_metadata(
            handle: *const c_void,
            id: u32,
            out: *mut c_void,
        ) -> HeifError;
        fn heif_image_handle_get_raw_color_profile_size(handle: *const c_void) -> usize;
        fn heif_image_handle_get_raw_color_profile(
            handle: *const c_void,
            out: *mut c_void,
        ) -> HeifError;
        fn heif_decode_image(
            handle: *const c_void,
            out: *mut *mut c_void,
            colorspace: c_int,
            chroma: c_int,
            options: *const c_void,
        ) -> HeifError;
        fn heif_image_release(image: *const c_void);
        fn heif_image_get_plane_readonly(
            image: *const c_void,
            channel: c_int,
            stride: *mut c_int,
        ) -> *const u8;
        fn heif_image_get_width(image: *const c_void, channel: c_int) -> c_int;
        fn heif_image_get_height(image: *const c_void, channel: c_int) -> c_int;
    }

    /// A libheif failure as a probe error: running out of data is a truncation.
    fn check(e: HeifError) -> Result<(), ProbeError> {
        if e.code == 0 {
            return Ok(());
        }
        // SAFETY: libheif documents `message` as always set, to a static string.
        let message = if e.message.is_null() {
            String::new()
        } else {
            unsafe { CStr::from_ptr(e.message) }
                .to_string_lossy()
                .into_owned()
        };
        if e.subcode == SUBERROR_END_OF_DATA {
            return Err(ProbeError::Truncated(message));
        }
        Err(classify(format!("HEIF: {message}")))
    }

    /// A parsed file; the bytes outlive it (read without copy).
    struct Context<'a> {
        ctx: *mut c_void,
        _bytes: std::marker::PhantomData<&'a [u8]>,
    }

    impl Drop for Context<'_> {
        fn drop(&mut self) {
            // SAFETY: allocated by heif_context_alloc, freed once.
            unsafe { heif_context_free(self.ctx) }
        }
    }

    struct Handle(*mut c_void);

    impl Drop for Handle {
        fn drop(&mut self) {
            // SAFETY: a handle libheif gave us, released once.
            unsafe { heif_image_handle_release(self.0) }
        }
    }

    struct Image(*mut c_void);

    impl Drop for Image {
        fn drop(&mut self) {
            // SAFETY: an image libheif decoded for us, released once.
            unsafe { heif_image_release(self.0) }
        }
    }

    fn open(bytes: &[u8]) -> Result<(Context<'_>, Handle), ProbeError> {
        // SAFETY: the context reads `bytes`, which outlive it (the lifetime on Context).
        unsafe {
            let ctx = heif_context_alloc();
            if ctx.is_null() {
                return Err(ProbeError::Undecodable("HEIF: out of memory".into()));
            }
            let context = Context {
                ctx,
                _bytes: std::marker::PhantomData,
            };
            check(heif_context_read_from_memory_without_copy(
                ctx,
                bytes.as_ptr().cast(),
                bytes.len(),
                ptr::null(),
            ))?;
            let mut handle = ptr::null_mut();
            check(heif_context_get_primary_image_handle(ctx, &mut handle))?;
            Ok((context, Handle(handle)))
        }
    }

    fn size(handle: &Handle) -> (u32, u32) {
        // SAFETY: a valid handle.
        let (w, h) = unsafe {
            (
                heif_image_handle_get_width(handle.0),
                heif_image_handle_get_height(handle.0),
            )
        };
        (w.max(0) as u32, h.max(0) as u32)
    }

    /// The primary image's displayed size, alpha and XMP, without decoding pixels.
    pub fn info(bytes: &[u8]) -> Result<Info, ProbeError> {
        let (_context, handle) = open(bytes)?;
        let (width, height) = size(&handle);
        // SAFETY: a valid handle.
        let has_alpha = unsafe { heif_image_handle_has_alpha_channel(handle.0) } != 0;
        Ok(Info {
            width,
            height,
            has_alpha,
            xmp: xmp(&handle),
        })
    }

    fn xmp(handle: &Handle) -> Option<Vec<u8>> {
        let mut ids = [0u32; 16];
        // SAFETY: `ids` holds 16 entries, as told.
        let n = unsafe {
            heif_image_handle_get_list_of_metadata_block_IDs(
                handle.0,
                c"mime".as_ptr(),
                ids.as_mut_ptr(),
                16,
            )
        };
        for &id in &ids[..n.clamp(0, 16) as usize] {
            // SAFETY: `id` was listed for this handle; the buffer has the size libheif reports.
            unsafe {
                let kind = heif_image_handle_get_metadata_content_type(handle.0, id);
                if kind.is_null() || CStr::from_ptr(kind).to_bytes() != b"application/rdf+xml" {
                    continue;
                }
                let len = heif_image_handle_get_metadata_size(handle.0, id);
                if len > crate::media::meta::MAX_BLOCK_BYTES {
                    continue;
                }
                let mut data = vec![0u8; len];
                if check(heif_image_handle_get_metadata(
                    handle.0,
                    id,
                    data.as_mut_ptr().cast(),
                ))
                .is_ok()
                {
                    return Some(data);
                }
            }
        }
        None
    }

    /// The file's thumbnail item if one is at least `need`, for a decode that needs no more.
    fn thumbnail(handle: &Handle, need: (u32, u32)) -> Option<Handle> {
        let mut ids = [0u32; 8];
        // SAFETY: `ids` holds 8 entries, as told; each thumbnail handle is owned by a Handle.
        unsafe {
            if heif_image_handle_get_number_of_thumbnails(handle.0) <= 0 {
                return None;
            }
            let n = heif_image_handle_get_list_of_thumbnail_IDs(handle.0, ids.as_mut_ptr(), 8);
            for &id in &ids[..n.clamp(0, 8) as usize] {
                let mut thumb = ptr::null_mut();
                if check(heif_image_handle_get_thumbnail(handle.0, id, &mut thumb)).is_err() {
                    continue;
                }
                let thumb = Handle(thumb);
                let (w, h) = size(&thumb);
                if w >= need.0 && h >= need.1 {
                    return Some(thumb);
                }
            }
        }
        None
    }

    fn icc(handle: &Handle) -> Option<Vec<u8>> {
        // SAFETY: the buffer has the size libheif reports.
        unsafe {
            let len = heif_image_handle_get_raw_color_profile_size(handle.0);
            if len == 0 || len > crate::media::meta::MAX_BLOCK_BYTES {
                return None;
            }
            let mut data = vec![0u8; len];
            check(heif_image_handle_get_raw_color_profile(
                handle.0,
                data.as_mut_ptr().cast(),
            ))
            .ok()?;
            Some(data)
        }
    }

    /// Decodes the primary image (or a thumbnail item at least `need`), upright, 8-bit RGB or
    /// RGBA, refusing images over the pixel limit or the memory budget before decoding.
    pub fn decode(
        bytes: &[u8],
        need: Option<(u32, u32)>,
        limits: &ProbeLimits,
    ) -> Result<Decoded, ProbeError> {
        let (_context, primary) = open(bytes)?;
        let (w, h) = size(&primary);
        check_pixels(w, h, limits)?;
        let pixels = u64::from(w) * u64::from(h);
        if pixels * BYTES_PER_PIXEL > limits.max_decode_bytes {
            return Err(ProbeError::OverBudget {
                what: "decoded HEIF image",
                needed: pixels * BYTES_PER_PIXEL,
                limit: limits.max_decode_bytes,
            });
        }
        // SAFETY: a valid handle.
        let alpha = unsafe { heif_image_handle_has_alpha_channel(primary.0) } != 0;
        let icc = icc(&primary);
        let thumb = need.and_then(|n| thumbnail(&primary, n));
        let source = thumb.as_ref().unwrap_or(&primary);
        let chroma = if alpha { CHROMA_RGBA } else { CHROMA_RGB };
        let mut out = ptr::null_mut();
        // SAFETY: a valid handle; default decoding options apply the file's transformations.
        check(unsafe {
            heif_decode_image(source.0, &mut out, COLORSPACE_RGB, chroma, ptr::null())
        })?;
        let image = Image(out);
        let mut stride: c_int = 0;
        // SAFETY: the interleaved plane exists for an RGB(A) image; rows are `stride` apart.
        let (plane, width, height) = unsafe {
            (
                heif_image_get_plane_readonly(image.0, CHANNEL_INTERLEAVED, &mut stride),
                heif_image_get_width(image.0, CHANNEL_INTERLEAVED),
                heif_image_get_height(image.0, CHANNEL_INTERLEAVED),
            )
        };
        if plane.is_null() || width <= 0 || height <= 0 || stride <= 0 {
            return Err(ProbeError::Undecodable("HEIF: no pixels decoded".into()));
        }
        let (width, height, stride) = (width as usize, height as usize, stride as usize);
        let channels = if alpha { 4 } else { 3 };
        let row = width * channels;
        if stride < row {
            return Err(ProbeError::Undecodable("HEIF: malformed plane".into()));
        }
        let mut pixels = Vec::with_capacity(row * height);
        for y in 0..height {
            // SAFETY: each row lies within the plane libheif allocated (stride × height).
            let line = unsafe { std::slice::from_raw_parts(plane.add(y * stride), row) };
            pixels.extend_from_slice(line);
        }
        let (w, h) = (width as u32, height as u32);
        let image = if alpha {
            RgbaImage::from_raw(w, h, pixels).map(DynamicImage::ImageRgba8)
        } else {
            RgbImage::from_raw(w, h, pixels).map(DynamicImage::ImageRgb8)
        };
        let image = image.ok_or_else(|| ProbeError::Undecodable("HEIF: malformed plane".into()))?;
        Ok(Decoded { image, icc })
    }
}
