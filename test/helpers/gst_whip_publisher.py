#!/usr/bin/env python3
"""A WHIP publisher on GStreamer's webrtcbin, as OBS-like software publishes: x264enc H.264
(constrained baseline, zero latency) over WebRTC, the processed stream decoded back.

Usage: gst_whip_publisher.py <whip-url> <width> <height> [--codec h264|vp8|none] [--audio none|tone]
                              [--clip <video.y4m> <audio.wav>] [--frames i420|luma]
- --codec: the video encoder, x264enc (default) or vp8enc; none: no video at all (an audio-only
  stream, with --audio tone; stdin's frames are then read and ignored);
- --audio tone: also sends Opus (opusenc, VBR, 10 ms frames) of a 440 Hz tone;
- --clip: sends these files (y4m video, wav audio, Opus) in real time instead of stdin's frames,
  each video frame and each 10 ms of audio released at its instant of the files;
- --frames luma: each decoded frame comes back as its luma plane sampled every 8th pixel of every
  8th row (a 1280x720 frame: 160x90 bytes, its header's width and height those of the sample)
  instead of its whole I420 bytes: enough for its mean luma (a flash), and 1/96 of what the pipe
  and its reader carry (41 MB a second at 720p30 otherwise, on the cores the stream itself uses);
- stdin: raw I420 frames of width x height, pushed to the encoder as they come (the caller paces
  them); with --clip only its end matters;
- stdout: one line "answer <resource-url> <started-at>" once the WHIP POST was answered (started-at:
  when the pipeline's running time was 0 — the clip's first instant — Unix epoch ms), then each decoded
  frame back as a header (b"FRAM", width u32, height u32, length u32, decoded-at f64,
  decoder-input f64, little-endian) followed by its I420 bytes; each decoded buffer of the audio sent back as b"AUDI",
  samples u32, peak u32 (0..32767), first loud sample u32 (the first above a quarter of full
  scale, 0xFFFFFFFF if none), decoded-at f64; each record then ends with decoder-input f64 (so
  both headers are 32 bytes). Decoded-at: when the decoder handed it over, Unix epoch ms (taken
  here, so the pipe's queueing does not move it); decoder-input: when the encoded frame or packet it
  was decoded from entered the decoder (its whole frame depayloaded, after the jitter buffer), NaN
  if not seen: the two apart are this receiver's own decoding time;
- stderr: diagnostics. Exits when stdin closes (after a WHIP DELETE).

Run with Debian's python3 (python3-gi, gstreamer1.0-plugins-{base,good,bad,ugly},
gstreamer1.0-nice, gir1.2-gst-plugins-bad-1.0).
"""
import os
import struct
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstWebRTC", "1.0")
gi.require_version("GstSdp", "1.0")
from gi.repository import GLib, Gst, GstSdp, GstWebRTC  # noqa: E402


def log(*parts):
    print("gst-whip:", *parts, file=sys.stderr, flush=True)


def option(name, default, count=1):
    if name not in sys.argv:
        return default
    at = sys.argv.index(name)
    values = sys.argv[at + 1 : at + 1 + count]
    return values[0] if count == 1 else values


VIDEO_ENCODERS = {
    "h264": "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=300 bitrate=2000 "
    "! video/x-h264,profile=constrained-baseline "
    "! rtph264pay config-interval=-1 pt=102 aggregate-mode=zero-latency "
    "! application/x-rtp,media=video,encoding-name=H264,payload=102",
    "vp8": "vp8enc deadline=1 cpu-used=8 end-usage=cbr target-bitrate=2000000 keyframe-max-dist=300 "
    "lag-in-frames=0 error-resilient=partitions "
    "! rtpvp8pay pt=96 ! application/x-rtp,media=video,encoding-name=VP8,payload=96",
}
OPUS = (
    "audioconvert ! audioresample ! audio/x-raw,rate=48000,channels=1 "
    "! opusenc bitrate-type=vbr frame-size=10 "
    "! rtpopuspay pt=111 ! application/x-rtp,media=audio,encoding-name=OPUS,payload=111"
)
# A sample louder than a quarter of full scale starts a click.
LOUD = 8192
NONE_LOUD = 0xFFFFFFFF


def main():
    whip_url, width, height = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    codec = option("--codec", "h264")
    audio = option("--audio", "none")
    clip = option("--clip", None, 2)
    luma_only = option("--frames", "i420") == "luma"
    frame_bytes = width * height * 3 // 2
    Gst.init(None)
    if clip:
        # Both files at the pipeline clock's pace from running time 0: a click and a flash
        # written at the same instant of the files leave together.
        video_src = f"filesrc location={clip[0]} ! y4mdec ! videoconvert ! identity sync=true ! queue"
        # 10 ms audio buffers, each released at its first sample's instant as a video frame is:
        # a click on a 10 ms boundary leaves when its flash does.
        audio_src = (
            f"filesrc location={clip[1]} ! wavparse ! audiobuffersplit output-buffer-duration=1/100 "
            "! identity sync=true ! queue"
        )
    else:
        video_src = (
            f"appsrc name=src is-live=true do-timestamp=true format=time "
            f"caps=video/x-raw,format=I420,width={width},height={height},framerate=30/1 "
            "! queue max-size-buffers=2 leaky=downstream"
        )
        audio_src = "audiotestsrc is-live=true wave=sine freq=440 volume=0.3 samplesperbuffer=480"
    # A clip's packets are dropped until the peer connection is up (`open_gates`), as a browser
    # sends nothing before: `webrtcbin` would hold them, and the clip with them, then send the
    # backlog in a burst and the clip behind its schedule until it caught up. The encoders run
    # from the start (their caps make the offer); the first frame sent asks for a keyframe.
    def gate(name):
        return f"valve name={name} drop=true drop-mode=forward-sticky-events ! " if clip else ""

    if codec == "none":
        description = "webrtcbin name=webrtc bundle-policy=max-bundle"
    else:
        description = (
            f"{video_src} ! {VIDEO_ENCODERS[codec]} ! {gate('video_gate')}"
            "webrtcbin name=webrtc bundle-policy=max-bundle"
        )
    if clip or audio == "tone":
        description += f" {audio_src} ! {OPUS} ! {gate('audio_gate')}webrtc."
    pipeline = Gst.parse_launch(description)
    webrtc = pipeline.get_by_name("webrtc")
    src = pipeline.get_by_name("src")
    # libnice leaves loopback out unless told: the gateway under test listens on 127.0.0.1.
    # (Kept referenced: PyGObject must not drop the agent webrtcbin still uses.)
    ice_agent = webrtc.get_property("ice-agent")
    ice_agent.emit("add-local-ip-address", "127.0.0.1")
    out = sys.stdout.buffer
    out_lock = threading.Lock()
    loop = GLib.MainLoop()
    state = {"resource": None}

    def entered_decoder_ms(store, pts):
        """When the buffer of this PTS entered the decoder (epoch ms; NaN if not seen), forgetting it
        and any older one (a frame the decoder or the sink dropped)."""
        at = store.pop(pts, float("nan"))
        # list() copies the keys at once (under the GIL): the decoder's thread adds to it meanwhile.
        for older in [key for key in list(store) if key < pts]:
            store.pop(older, None)
        return at

    def on_sample(sink, store):
        sample = sink.emit("pull-sample")
        caps = sample.get_caps().get_structure(0)
        w, h = caps.get_value("width"), caps.get_value("height")
        buffer = sample.get_buffer()
        ok, info = buffer.map(Gst.MapFlags.READ)
        if ok:
            decoded_at_ms = time.time() * 1000
            input_at_ms = entered_decoder_ms(store, buffer.pts)
            if luma_only:
                plane = info.data
                stride = (w + 3) & ~3  # I420's luma rows, padded to 4 bytes
                data = b"".join(
                    bytes(plane[row * stride : row * stride + w : 8]) for row in range(0, h, 8)
                )
                w, h = (w + 7) // 8, (h + 7) // 8
            else:
                data = bytes(info.data)
            buffer.unmap(info)
            with out_lock:
                header = struct.pack("<IIIdd", w, h, len(data), decoded_at_ms, input_at_ms)
                out.write(b"FRAM" + header + data)
                out.flush()
        return Gst.FlowReturn.OK

    def on_audio_sample(sink, store):
        sample = sink.emit("pull-sample")
        buffer = sample.get_buffer()
        ok, info = buffer.map(Gst.MapFlags.READ)
        if ok:
            decoded_at_ms = time.time() * 1000
            input_at_ms = entered_decoder_ms(store, buffer.pts)
            samples = struct.unpack(f"<{len(info.data) // 2}h", bytes(info.data))
            buffer.unmap(info)
            peak = max((abs(v) for v in samples), default=0)
            loud = next((i for i, v in enumerate(samples) if abs(v) > LOUD), NONE_LOUD)
            with out_lock:
                out.write(
                    b"AUDI"
                    + struct.pack(
                        "<IIIdd", len(samples), min(peak, 32767), loud, decoded_at_ms, input_at_ms
                    )
                )
                out.flush()
        return Gst.FlowReturn.OK

    sinks = {
        "audio/": ("queue ! audioconvert ! audio/x-raw,format=S16LE,channels=1 "
                   "! appsink name=sink emit-signals=true sync=false", on_audio_sample),
        "video/": ("queue ! videoconvert ! video/x-raw,format=I420 "
                   "! appsink name=sink emit-signals=true sync=false max-buffers=2 drop=true", on_sample),
    }

    def on_decoded_pad(_decodebin, pad, store):
        caps = pad.get_current_caps().to_string()
        sink = next((v for k, v in sinks.items() if caps.startswith(k)), None)
        if sink is None:
            return
        chain = Gst.parse_bin_from_description(sink[0], True)
        pipeline.add(chain)
        chain.sync_state_with_parent()
        chain.get_by_name("sink").connect("new-sample", sink[1], store)
        pad.link(chain.get_static_pad("sink"))

    def on_decoder_input(_pad, info, store):
        buffer = info.get_buffer()
        if buffer is not None and buffer.pts != Gst.CLOCK_TIME_NONE:
            store[buffer.pts] = time.time() * 1000
        return Gst.PadProbeReturn.OK

    def on_element(_decodebin, _bin, element, store):
        # The decoder's input: one whole encoded frame (or Opus packet) per buffer, whose PTS the
        # decoded buffer keeps (no reordering in what is decoded here).
        factory = element.get_factory()
        if factory is not None and "Decoder" in (factory.get_metadata("klass") or ""):
            sink_pad = element.get_static_pad("sink")
            if sink_pad is not None:
                sink_pad.add_probe(Gst.PadProbeType.BUFFER, on_decoder_input, store)

    def on_incoming(_webrtc, pad):
        if pad.direction != Gst.PadDirection.SRC:
            return
        decodebin = Gst.ElementFactory.make("decodebin")
        # PTS -> when its encoded buffer entered the decoder, epoch ms (one per incoming stream).
        store = {}
        decodebin.connect("deep-element-added", on_element, store)
        decodebin.connect("pad-added", on_decoded_pad, store)
        pipeline.add(decodebin)
        decodebin.sync_state_with_parent()
        pad.link(decodebin.get_static_pad("sink"))

    # A stream key comes in the environment, never in the arguments (visible to every user).
    token = os.environ.get("PEERFRAME_WHIP_TOKEN")
    auth_headers = {"authorization": f"Bearer {token}"} if token else {}

    def post_offer():
        offer = webrtc.get_property("local-description").sdp.as_text()
        headers = {"content-type": "application/sdp", **auth_headers}
        request = urllib.request.Request(
            whip_url, data=offer.encode(), headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                answer_text = response.read().decode()
                resource = urllib.parse.urljoin(whip_url, response.headers["location"])
        except urllib.error.HTTPError as error:
            log("WHIP POST answered", error.code, error.read().decode()[:300])
            loop.quit()
            return False
        state["resource"] = resource
        _, sdp = GstSdp.SDPMessage.new_from_text(answer_text)
        answer = GstWebRTC.WebRTCSessionDescription.new(GstWebRTC.WebRTCSDPType.ANSWER, sdp)
        webrtc.emit("set-remote-description", answer, None)
        with out_lock:
            out.write(f"answer {resource} {started_at_ms():.3f}\n".encode())
            out.flush()
        return False

    def on_gathering(_webrtc, _param):
        if webrtc.get_property("ice-gathering-state") == GstWebRTC.WebRTCICEGatheringState.COMPLETE:
            GLib.idle_add(post_offer)

    def on_offer_created(promise, _data):
        promise.wait()
        reply = promise.get_reply()
        offer = reply.get_value("offer") if reply else None
        # Before the encoder's caps are known webrtcbin answers an empty offer; it asks again.
        if offer is not None:
            webrtc.emit("set-local-description", offer, None)

    def on_negotiation_needed(_webrtc):
        webrtc.emit("create-offer", None, Gst.Promise.new_with_change_func(on_offer_created, None))

    gates = [pipeline.get_by_name(name) for name in ("video_gate", "audio_gate")]

    def open_gates(_webrtc, _pspec):
        if webrtc.get_property("connection-state") == GstWebRTC.WebRTCPeerConnectionState.CONNECTED:
            for gate_element in gates:
                if gate_element is not None:
                    gate_element.set_property("drop", False)

    webrtc.connect("notify::connection-state", open_gates)
    webrtc.connect("on-negotiation-needed", on_negotiation_needed)
    webrtc.connect("notify::ice-gathering-state", on_gathering)
    webrtc.connect("pad-added", on_incoming)

    def on_message(_bus, message):
        if message.type == Gst.MessageType.ERROR:
            error, debug = message.parse_error()
            log("error", error.message, debug)
            loop.quit()

    bus = pipeline.get_bus()
    bus.add_signal_watch()
    bus.connect("message", on_message)
    pipeline.set_state(Gst.State.PLAYING)

    def started_at_ms():
        """When running time 0 was, Unix epoch ms (the pipeline clock is monotonic, not epoch)."""
        clock = pipeline.get_clock()
        running_ns = clock.get_time() - pipeline.get_base_time()
        return time.time() * 1000 - running_ns / 1e6
    # The transceivers were made from the payloaders' caps; receive on them too.
    for index in range(2):
        transceiver = webrtc.emit("get-transceiver", index)
        if transceiver is not None:
            transceiver.set_property("direction", GstWebRTC.WebRTCRTPTransceiverDirection.SENDRECV)

    def push(data):
        buffer = Gst.Buffer.new_allocate(None, len(data), None)
        buffer.fill(0, data)
        src.emit("push-buffer", buffer)

    # Grey frames until the caller's come: the offer needs the encoder's caps, and the caller
    # sends frames only once the WHIP answer is in.
    grey = bytes([128]) * frame_bytes
    state["fed"] = False

    def push_grey():
        if state["fed"]:
            return False
        push(grey)
        return True

    if not clip and src is not None:
        GLib.timeout_add(33, push_grey)

    def feed():
        stdin = sys.stdin.buffer
        while True:
            data = stdin.read(frame_bytes)
            if not data or len(data) < frame_bytes:
                break
            state["fed"] = True
            if not clip and src is not None:
                push(data)
        if state["resource"]:
            try:
                urllib.request.urlopen(
                    urllib.request.Request(state["resource"], headers=auth_headers, method="DELETE"),
                    timeout=5,
                )
            except Exception as error:  # noqa: BLE001 - best effort on the way out
                log("WHIP DELETE failed", error)
        GLib.idle_add(loop.quit)

    threading.Thread(target=feed, daemon=True).start()
    loop.run()
    pipeline.set_state(Gst.State.NULL)


if __name__ == "__main__":
    main()
