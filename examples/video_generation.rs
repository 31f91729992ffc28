//! Video generation: list the video models; when `OPENROUTER_VIDEO_MODEL` is set, submit a
//! generation, poll `get_generation` until it finishes (at most ten minutes), and write the
//! video to `video.mp4` with `Download::write_to_file`.
//!
//! Works with any API key in `OPENROUTER_API_KEY`. Generation costs credits, so it is opt-in:
//! set `OPENROUTER_VIDEO_MODEL` (for example `google/veo-3.1`). Run with
//! `cargo run --example video_generation --features full`.
//!
//! Without `OPENROUTER_API_KEY` it runs offline on the SDK's canned answers, and says so first
//! (`openrouter_examples::client`).

use std::time::Duration;

use openrouter::types::video_generation::{
    ListVideosContentQuery, VideoGenerationRequest, VideoGenerationResponseStatus as Status,
};
use openrouter::Error;

const POLL_EVERY: Duration = Duration::from_secs(10);
const MAX_POLLS: u32 = 60;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = openrouter_examples::client()?;
    let videos = client.video_generation();

    let models = videos
        .list_models()
        .await
        .inspect_err(|e| report("list_videos_models", e))?;
    println!("{} video models", models.data.len());
    for model in models.data.iter().take(10) {
        println!(
            "  {:<40} durations {:?}",
            model.id, model.supported_durations
        );
    }

    let Some(model) =
        openrouter_examples::var_or_offline("OPENROUTER_VIDEO_MODEL", "google/veo-3.1")
    else {
        println!("Set OPENROUTER_VIDEO_MODEL to also generate a video (costs credits).");
        return Ok(());
    };
    let mut request = VideoGenerationRequest::new(model);
    request.prompt = Some("A paper boat drifting down a rainy street, cinematic".to_owned());
    let mut job = videos
        .create(request)
        .await
        .inspect_err(|e| report("generate", e))?
        .into_inner();
    println!("submitted {} ({})", job.id, job.status);

    // The job runs in the background: poll until it leaves `pending` / `in_progress`.
    for _ in 0..MAX_POLLS {
        if !matches!(job.status, Status::Pending | Status::InProgress) {
            break;
        }
        // Offline, the canned job is done at the first look: no need to wait.
        if !openrouter_examples::is_offline() {
            tokio::time::sleep(POLL_EVERY).await;
        }
        job = videos
            .get(&job.id)
            .await
            .inspect_err(|e| report("get_generation", e))?
            .into_inner();
        println!("  status {}", job.status);
    }
    if job.status != Status::Completed {
        println!(
            "job {} ended {} ({:?}): nothing to download",
            job.id, job.status, job.error
        );
        return Ok(());
    }

    // Output 0; `index` selects another when the job produced several.
    let path = openrouter_examples::output_path("video.mp4");
    let written = videos
        .download(&job.id, ListVideosContentQuery::default().index(0))
        .await
        .inspect_err(|e| report("get_video_content", e))?
        .write_to_file(&path)
        .await?;
    println!(
        "wrote {written} bytes to {} (cost {:?})",
        path.display(),
        job.usage.and_then(|u| u.cost)
    );
    Ok(())
}

fn report(what: &str, e: &Error) {
    match e.as_api() {
        Some(api) => eprintln!("{what} failed: {} {}", api.status(), api.message()),
        None => eprintln!("{what} failed: {e}"),
    }
}
