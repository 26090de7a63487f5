// mediagate player: plays one stream over WHEP (RFC 9725, draft-ietf-wish-whep)
// with the browser's own RTCPeerConnection. Plain JavaScript, no dependencies.
//
// The viewer token comes from the URL fragment (#token=…, removed from the
// address bar at once, never sent to the server in a URL and never logged) or
// from the password field, and travels only in an Authorization header.
//
// Query parameters: ?codec=vp8, ?codec=h264 or ?codec=h265 restricts the
// video codec (h265 where the browser decodes it: an H.265 camera then
// plays without a transcoder);
// ?relay=1 allows relayed (TURN) candidates only.
//
// window.mediagatePlayer = { pc, state, stats, codec, requestedCodec } always
// holds the current RTCPeerConnection, the state (idle, connecting, playing,
// reconnecting, error), the latest video stats and the received video codec.
'use strict';

(() => {
  const MIN_BACKOFF = 1000; // ms before the first retry, doubled each time
  const MAX_BACKOFF = 10000;
  const DISCONNECT_GRACE = 3000; // ms a "disconnected" state may last
  const GATHER_TIMEOUT = 2000; // ms to wait for ICE gathering at most
  const FIRST_CANDIDATE_GRACE = 30; // ms after the first candidate before the offer goes out
  const DELETE_TIMEOUT = 2000;
  const STATS_INTERVAL = 1000;

  const root = document.getElementById('player');
  if (!root) return;
  const endpoint = new URL('/whep/' + encodeURIComponent(root.dataset.stream), location.href).href;
  const query = new URLSearchParams(location.search);
  const wantCodec = { vp8: 'video/vp8', h264: 'video/h264', h265: 'video/h265' }[(query.get('codec') || '').toLowerCase()] || null;
  const relay = query.get('relay') === '1';

  const video = document.getElementById('video');
  const stateEl = document.getElementById('state');
  const detailEl = document.getElementById('detail');
  const form = document.getElementById('token-form');
  const tokenInput = document.getElementById('token');
  const statEls = {};
  document.querySelectorAll('[data-stat]').forEach((el) => { statEls[el.dataset.stat] = el; });

  const player = { pc: null, state: 'idle', stats: {}, codec: null, requestedCodec: wantCodec };
  window.mediagatePlayer = player;

  let token = takeFragmentToken();
  let session = null; // URL of the current WHEP session, for DELETE
  let generation = 0; // bumped by every connect; stale callbacks compare it
  let backoff = MIN_BACKOFF;
  let retryTimer = 0;
  let disconnectTimer = 0;
  let lastSample = null; // previous inbound-rtp sample, for the bitrate

  class HttpError extends Error {
    constructor(status, detail, retryAfter) {
      super('HTTP ' + status);
      this.status = status;
      this.detail = detail;
      this.retryAfter = retryAfter;
    }
  }

  // Reads #token=… and removes it from the address bar and history.
  function takeFragmentToken() {
    const fragment = new URLSearchParams(location.hash.slice(1));
    const value = fragment.get('token');
    if (value === null) return '';
    fragment.delete('token');
    const rest = fragment.toString();
    history.replaceState(history.state, '', location.pathname + location.search + (rest ? '#' + rest : ''));
    return value;
  }

  function authHeaders(extra) {
    const headers = Object.assign({}, extra);
    if (token) headers.Authorization = 'Bearer ' + token;
    return headers;
  }

  function setState(state, detail) {
    player.state = state;
    stateEl.textContent = state;
    stateEl.dataset.state = state;
    detailEl.textContent = detail || '';
  }

  async function httpError(res) {
    let detail = '';
    try {
      if ((res.headers.get('Content-Type') || '').includes('json')) {
        const problem = await res.json(); // RFC 9457 problem details
        detail = problem.detail || problem.title || '';
      } else {
        detail = (await res.text()).trim().slice(0, 200);
      }
    } catch (_) {
      // An unreadable body leaves the status alone to explain.
    }
    const seconds = Number(res.headers.get('Retry-After'));
    const retryAfter = Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 60) * 1000 : 0;
    return new HttpError(res.status, String(detail), retryAfter);
  }

  // Parses the parameters of one RFC 8288 link-value: ;key=value or ;key="value".
  function linkParams(text) {
    const params = new Map();
    const re = /;\s*([A-Za-z0-9!#$&+.^_`|~-]+)\s*(?:=\s*("(?:[^"\\]|\\.)*"|[^;,\s]*))?/g;
    for (const [, key, raw] of text.matchAll(re)) {
      const name = key.toLowerCase();
      if (params.has(name)) continue; // RFC 8288 §3.3: later rel parameters are ignored
      let value = raw === undefined ? '' : raw;
      if (value.startsWith('"')) value = value.slice(1, -1).replace(/\\(.)/g, '$1');
      params.set(name, value);
    }
    return params;
  }

  // Turns Link: <turn:…>; rel="ice-server"; username="…"; credential="…";
  // credential-type="password" headers (RFC 9725 §4.6) into RTCIceServer
  // objects; turns: URIs are TURN over TLS. A credential of another type
  // (RFC 7635 OAuth) is one RTCIceServer cannot use: that link is skipped.
  function parseIceServers(header) {
    const servers = [];
    for (const [, uri, rest] of (header || '').matchAll(/<([^>]*)>([^<]*)/g)) {
      const params = linkParams(rest);
      if (!(params.get('rel') || '').toLowerCase().split(/\s+/).includes('ice-server')) continue;
      if (!/^(stuns?|turns?):/i.test(uri)) continue;
      if ((params.get('credential-type') || 'password').toLowerCase() !== 'password') continue;
      const server = { urls: uri };
      if (params.has('username')) server.username = params.get('username');
      if (params.has('credential')) server.credential = params.get('credential');
      servers.push(server);
    }
    return servers;
  }

  async function fetchIceServers() {
    try {
      const res = await fetch(endpoint, { method: 'OPTIONS', headers: authHeaders(), cache: 'no-store' });
      return parseIceServers(res.headers.get('Link'));
    } catch (_) {
      return []; // no ICE servers: host candidates only
    }
  }

  function preferCodec(transceiver) {
    if (!wantCodec || !transceiver.setCodecPreferences || !RTCRtpReceiver.getCapabilities) return;
    const caps = RTCRtpReceiver.getCapabilities('video');
    const chosen = caps ? caps.codecs.filter((c) => c.mimeType.toLowerCase() === wantCodec) : [];
    if (chosen.length === 0) {
      console.warn('mediagate player: this browser cannot receive ' + wantCodec);
      return;
    }
    const rtx = caps.codecs.filter((c) => c.mimeType.toLowerCase() === 'video/rtx');
    try {
      transceiver.setCodecPreferences(chosen.concat(rtx));
    } catch (_) {
      transceiver.setCodecPreferences(chosen);
    }
  }

  // The offer goes out with the candidates gathered within
  // FIRST_CANDIDATE_GRACE of the first one (host candidates come together,
  // a relay candidate is the first under ?relay=1), not after the whole
  // gathering, which takes a browser 100 ms or more; the later candidates
  // are trickled (trickle below), and the gateway also learns the
  // browser's addresses from its connectivity checks.
  function candidatesReady(pc) {
    if (pc.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve) => {
      let grace = 0;
      const check = () => { if (pc.iceGatheringState === 'complete') done(); };
      const onCandidate = (ev) => { if (ev.candidate && !grace) grace = setTimeout(done, FIRST_CANDIDATE_GRACE); };
      const done = () => {
        clearTimeout(timer);
        clearTimeout(grace);
        pc.removeEventListener('icegatheringstatechange', check);
        pc.removeEventListener('icecandidate', onCandidate);
        resolve();
      };
      const timer = setTimeout(done, GATHER_TIMEOUT);
      pc.addEventListener('icegatheringstatechange', check);
      pc.addEventListener('icecandidate', onCandidate);
    });
  }

  // Trickles the candidates gathered after the offer went out to the
  // session by PATCH (RFC 8840 fragments, RFC 9725 §4.3.2) once its URL and
  // ETag are known; returns the function that tells it them.
  function trickle(pc, gen, offer) {
    const pending = [];
    let target = null;
    const field = (re) => (offer.match(re) || [])[1] || '';
    const head = ['a=ice-ufrag:' + field(/a=ice-ufrag:(\S+)/), 'a=ice-pwd:' + field(/a=ice-pwd:(\S+)/),
      'm=' + field(/^m=(.*)$/m), 'a=mid:' + field(/a=mid:(\S+)/)];
    const flush = () => {
      if (!target || pending.length === 0 || gen !== generation) return;
      const body = head.concat(pending.splice(0).map((c) => 'a=' + c)).join('\r\n') + '\r\n';
      fetch(target.url, {
        method: 'PATCH', body, cache: 'no-store',
        headers: authHeaders({ 'Content-Type': 'application/trickle-ice-sdpfrag', 'If-Match': target.etag }),
      }).catch(() => {});
    };
    pc.addEventListener('icecandidate', (ev) => {
      const c = ev.candidate && ev.candidate.candidate;
      if (!c || offer.includes(c)) return;
      pending.push(c);
      flush();
    });
    return (url, etag) => {
      target = url && etag ? { url, etag } : null;
      flush();
    };
  }

  function deleteSession(url) {
    return fetch(url, {
      method: 'DELETE', headers: authHeaders(), keepalive: true, signal: AbortSignal.timeout(DELETE_TIMEOUT),
    }).catch(() => {});
  }

  // Closes the current connection and DELETEs its WHEP session.
  async function closeSession() {
    clearTimeout(disconnectTimer);
    disconnectTimer = 0;
    const pc = player.pc;
    player.pc = null;
    if (pc) {
      pc.ontrack = null;
      pc.onconnectionstatechange = null;
      pc.close();
    }
    const url = session;
    session = null;
    if (url) await deleteSession(url);
  }

  async function connect() {
    const gen = ++generation;
    clearTimeout(retryTimer);
    await closeSession();
    if (gen !== generation) return;
    setState(player.state === 'reconnecting' ? 'reconnecting' : 'connecting');
    try {
      const iceServers = await fetchIceServers();
      if (gen !== generation) return;
      const pc = new RTCPeerConnection({ iceServers, iceTransportPolicy: relay ? 'relay' : 'all', bundlePolicy: 'max-bundle' });
      player.pc = pc;
      player.stats = {};
      player.codec = null;
      const media = new MediaStream();
      pc.ontrack = (ev) => {
        media.addTrack(ev.track);
        if (video.srcObject !== media) video.srcObject = media;
      };
      pc.onconnectionstatechange = () => onConnectionState(pc, gen);
      preferCodec(pc.addTransceiver('video', { direction: 'recvonly' }));
      pc.addTransceiver('audio', { direction: 'recvonly' });
      await pc.setLocalDescription(await pc.createOffer());
      await candidatesReady(pc);
      if (gen !== generation) return;
      const offer = pc.localDescription.sdp;
      const trickleTo = trickle(pc, gen, offer);
      const res = await fetch(endpoint, {
        method: 'POST', headers: authHeaders({ 'Content-Type': 'application/sdp' }),
        body: offer, cache: 'no-store',
      });
      if (res.status !== 201) throw await httpError(res);
      const url = res.headers.get('Location') ? new URL(res.headers.get('Location'), endpoint).href : null;
      if (gen !== generation) {
        if (url) deleteSession(url);
        return;
      }
      session = url;
      await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
      trickleTo(url, res.headers.get('ETag'));
    } catch (err) {
      if (gen === generation) failed(err);
    }
  }

  function onConnectionState(pc, gen) {
    if (gen !== generation) return;
    switch (pc.connectionState) {
      case 'connected':
        clearTimeout(disconnectTimer);
        clearTimeout(retryTimer);
        disconnectTimer = 0;
        backoff = MIN_BACKOFF;
        setState('playing');
        break;
      case 'disconnected':
        if (disconnectTimer) break;
        disconnectTimer = setTimeout(() => {
          disconnectTimer = 0;
          if (gen === generation && pc.connectionState !== 'connected') retry('connection lost');
        }, DISCONNECT_GRACE);
        break;
      case 'failed':
        retry('connection failed');
        break;
    }
  }

  function retry(reason, minDelay) {
    const delay = Math.max(backoff, minDelay || 0);
    backoff = Math.min(backoff * 2, MAX_BACKOFF);
    setState('reconnecting', reason + ' — retrying in ' + Math.round(delay / 1000) + ' s');
    clearTimeout(retryTimer);
    retryTimer = setTimeout(connect, delay);
  }

  function failed(err) {
    if (!(err instanceof HttpError)) {
      // fetch rejects with a TypeError on network errors; anything else is
      // the browser refusing the session and would fail again.
      if (err instanceof TypeError) retry('network error');
      else setState('error', String(err && err.message ? err.message : err));
      return;
    }
    const text = 'HTTP ' + err.status + (err.detail ? ': ' + err.detail : '');
    if (err.status === 401 || err.status === 403) {
      setState('error', text);
      form.hidden = false;
      tokenInput.focus();
    } else if (err.status === 404 || err.status === 408 || err.status === 429 || err.status >= 500) {
      retry(text, err.retryAfter);
    } else {
      setState('error', text);
    }
  }

  function formatBitrate(bps) {
    if (bps >= 1e6) return (bps / 1e6).toFixed(2) + ' Mbit/s';
    return (bps / 1e3).toFixed(0) + ' kbit/s';
  }

  function show(name, text) {
    if (statEls[name]) statEls[name].textContent = text;
  }

  function renderStats(s) {
    show('codec', s.codec ? s.codec.replace(/^video\//, '') : '–');
    show('resolution', s.frameWidth ? s.frameWidth + '×' + s.frameHeight : '–');
    show('fps', s.framesPerSecond ? s.framesPerSecond.toFixed(0) : '–');
    show('bitrate', s.bitrate === null ? '–' : formatBitrate(s.bitrate));
    show('frames', String(s.framesDecoded));
    show('lost', String(s.packetsLost));
    if (player.state === 'playing') detailEl.textContent = s.framesDecoded ? '' : 'waiting for video…';
  }

  async function updateStats() {
    const pc = player.pc;
    if (!pc) return;
    let report;
    try {
      report = await pc.getStats();
    } catch (_) {
      return; // closed meanwhile
    }
    if (pc !== player.pc) return;
    let inbound = null;
    report.forEach((r) => { if (r.type === 'inbound-rtp' && r.kind === 'video') inbound = r; });
    if (!inbound) {
      if (player.state === 'playing') detailEl.textContent = 'waiting for video…';
      return;
    }
    const codec = inbound.codecId ? report.get(inbound.codecId) : null;
    const bytes = inbound.bytesReceived || 0;
    let bitrate = null;
    if (lastSample && lastSample.pc === pc && inbound.timestamp > lastSample.timestamp) {
      bitrate = (bytes - lastSample.bytes) * 8000 / (inbound.timestamp - lastSample.timestamp);
    }
    lastSample = { pc, timestamp: inbound.timestamp, bytes };
    player.stats = {
      framesDecoded: inbound.framesDecoded || 0,
      frameWidth: inbound.frameWidth || 0,
      frameHeight: inbound.frameHeight || 0,
      framesPerSecond: inbound.framesPerSecond || 0,
      bitrate, // bit/s, null until two samples exist
      packetsLost: inbound.packetsLost || 0,
      bytesReceived: bytes,
      codec: codec ? codec.mimeType : null,
    };
    player.codec = player.stats.codec;
    renderStats(player.stats);
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    token = tokenInput.value.trim();
    tokenInput.value = '';
    form.hidden = true;
    backoff = MIN_BACKOFF;
    connect();
  });
  addEventListener('pagehide', () => {
    generation++;
    clearTimeout(retryTimer);
    closeSession();
  });
  addEventListener('pageshow', (ev) => { if (ev.persisted) connect(); });
  setInterval(updateStats, STATS_INTERVAL);
  connect();
})();
