//! Criterion benchmarks of the rendition pipeline's stages on one 12 MP photographic JPEG
//! (decode at each DCT scale, resize, encode), so the next optimisation is obvious. `decode`
//! is libjpeg-turbo when the build found it (build.rs), else jpeg-decoder.

use brandvault::media::decode::decode;
use brandvault::media::encode::encode;
use brandvault::media::exif::ExifFields;
use brandvault::media::resize::resize;
use brandvault::media::synth::{jpeg_with_exif, landscape};
use brandvault::model::{Format, MediaType};
use criterion::{criterion_group, criterion_main, Criterion};

fn stages(c: &mut Criterion) {
    let jpeg = jpeg_with_exif(&landscape(4000, 3000, 7), 92, &ExifFields::default());
    let mut g = c.benchmark_group("render-stages-12MP");
    g.sample_size(10);
    for (label, need) in [
        ("decode full", None),
        ("decode 1/2", Some((2000, 1500))),
        ("decode 1/4", Some((1000, 750))),
        ("decode 1/8", Some((500, 375))),
    ] {
        g.bench_function(label, |b| {
            b.iter(|| decode(&jpeg, MediaType::Jpeg, None, need, &Default::default()).unwrap())
        });
    }
    g.bench_function("decode full (zune-jpeg via image)", |b| {
        b.iter(|| image::load_from_memory_with_format(&jpeg, image::ImageFormat::Jpeg).unwrap())
    });
    let half = decode(
        &jpeg,
        MediaType::Jpeg,
        None,
        Some((2000, 1500)),
        &Default::default(),
    )
    .unwrap()
    .image;
    g.bench_function("resize 2000x1500 -> 1024x768", |b| {
        b.iter(|| resize(&half, 1024, 768, (0.0, 0.0, 2000.0, 1500.0)))
    });
    let preview = resize(&half, 1024, 768, (0.0, 0.0, 2000.0, 1500.0));
    g.bench_function("encode 1024x768 JPEG q82", |b| {
        b.iter(|| encode(&preview, Format::Jpeg, 82, None, None).unwrap())
    });
    g.bench_function("encode 1024x768 WebP q78", |b| {
        b.iter(|| encode(&preview, Format::Webp, 78, None, None).unwrap())
    });
    g.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
