//! Criterion benchmarks of the foundation's hot paths: hashing, EXIF reading, decode check,
//! and GPS → spot matching (with the shipped gazetteer and with 10,000 spots).

use std::io::Cursor;
use std::path::Path;

use brandvault::brand::load_spots;
use brandvault::geo::Locator;
use brandvault::media::exif::ExifFields;
use brandvault::media::synth::{jpeg_with_exif, landscape};
use brandvault::media::{self, ProbeLimits};
use brandvault::model::{Gazetteer, Gps, Spot};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

fn hashing(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("blob.bin");
    let data: Vec<u8> = (0..256u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    std::fs::write(&path, &data).unwrap();
    let mut g = c.benchmark_group("hash");
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.sample_size(10);
    g.bench_function("hash_file 256 MiB", |b| {
        b.iter(|| brandvault::store::hash_file(&path).unwrap())
    });
    g.finish();
}

fn metadata(c: &mut Criterion) {
    let fields = ExifFields {
        make: Some("Canon".into()),
        model: Some("EOS R6".into()),
        datetime_original: Some("2024-05-01T08:30:00".into()),
        gps: Some(Gps {
            lat: 11.8169,
            lon: 107.0009,
            alt_m: Some(700.0),
        }),
        ..Default::default()
    };
    let jpeg = jpeg_with_exif(&landscape(1600, 1200, 1), 90, &fields);
    let mut g = c.benchmark_group("probe");
    g.bench_function("exif::read", |b| {
        b.iter(|| media::exif::read(&mut Cursor::new(&jpeg)).unwrap())
    });
    g.bench_function("probe 2 MP JPEG (with 1/8-scale decode check)", |b| {
        b.iter(|| media::probe(&mut Cursor::new(&jpeg), &ProbeLimits::default()).unwrap())
    });
    g.finish();
}

fn random_points(g: &Gazetteer, n: usize) -> Vec<Gps> {
    let e = g.extent.expect("the shipped gazetteer has an extent");
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..n)
        .map(|_| Gps {
            lat: e.min_lat + next() * (e.max_lat - e.min_lat),
            lon: e.min_lon + next() * (e.max_lon - e.min_lon),
            alt_m: None,
        })
        .collect()
}

fn spots(c: &mut Criterion) {
    let shipped =
        load_spots(&Path::new(env!("CARGO_MANIFEST_DIR")).join("brand/spots.toml")).unwrap();
    let mut large = shipped.clone();
    let template = shipped.spots[0].clone();
    let grid = random_points(&shipped, 10_000);
    large.spots = grid
        .iter()
        .enumerate()
        .map(|(i, p)| Spot {
            id: format!("s{i}"),
            lat: p.lat,
            lon: p.lon,
            radius_m: 500.0,
            ..template.clone()
        })
        .collect();
    let points = random_points(&shipped, 1_000_000);
    let mut g = c.benchmark_group("spots");
    g.sample_size(10);
    g.throughput(Throughput::Elements(points.len() as u64));
    g.bench_with_input(
        BenchmarkId::new("place 1M points", "shipped gazetteer"),
        &Locator::new(&shipped),
        |b, gz| {
            b.iter(|| {
                points
                    .iter()
                    .filter(|p| matches!(gz.place(p), brandvault::geo::Placement::Spot(_)))
                    .count()
            })
        },
    );
    let few = &points[..10_000];
    g.throughput(Throughput::Elements(few.len() as u64));
    g.bench_with_input(
        BenchmarkId::new("place 10k points", "10,000 spots"),
        &Locator::new(&large),
        |b, gz| {
            b.iter(|| {
                few.iter()
                    .filter(|p| matches!(gz.place(p), brandvault::geo::Placement::Spot(_)))
                    .count()
            })
        },
    );
    g.finish();
}

criterion_group!(benches, hashing, metadata, spots);
criterion_main!(benches);
