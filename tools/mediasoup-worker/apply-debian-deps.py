#!/usr/bin/env python3
"""Patch a mediasoup 3.27.x worker/ tree to build against Debian bookworm packages.

- meson.build / deps/libwebrtc/meson.build: subproject() -> dependency() (system libs)
- unordered_dense: shim header on top of std::unordered_map/set (not packaged in Debian)
- libsrtp3 API (versatica fork, not packaged anywhere) -> libsrtp2 2.5 API (libsrtp2-dev)
- DtlsTransport's BIO callback passes OpenSSL's result through on every BIO_CB_RETURN call (it
  returned 1 for "ctrl | return", which Debian's OpenSSL, built with kTLS, reads as "this BIO
  sends with kernel TLS" and leaves the DTLS write buffer unallocated: the worker segfaulted at
  the first DTLS handshake. mediasoup's bundled OpenSSL is built without kTLS, which hid it.)
"""
import os, re, sys

W = sys.argv[1] if len(sys.argv) > 1 else "worker"

def rd(p):
    with open(os.path.join(W, p), encoding="utf-8") as f:
        return f.read()

def wr(p, s):
    os.makedirs(os.path.dirname(os.path.join(W, p)) or ".", exist_ok=True)
    with open(os.path.join(W, p), "w", encoding="utf-8") as f:
        f.write(s)

def sub(s, old, new, count=1):
    if old not in s:
        raise SystemExit(f"patch anchor not found: {old[:80]!r}")
    return s.replace(old, new, count)

# ---------------------------------------------------------------- meson.build
m = rd("meson.build")
m = re.sub(r"meson_version: '>= [0-9.]+'", "meson_version: '>= 1.0.0'", m)
m = re.sub(
    r"libuv_proj = subproject\(.*?\nankerl_unordered_dense_dep = dependency\('unordered_dense'\)\n\nflatbuffers_proj = subproject\(.*?\n\)\n",
    """libuv_dep = dependency('libuv', version: '>= 1.44')
openssl_dep = dependency('openssl', version: '>= 3.0')
libsrtp_dep = declare_dependency(
  dependencies: dependency('libsrtp2', version: '>= 2.5'),
  compile_args: ['-I' + dependency('libsrtp2').get_variable(pkgconfig: 'includedir') / 'srtp2'],
)
ankerl_unordered_dense_dep = declare_dependency(include_directories: include_directories('debian-shim'))
flatbuffers_dep = dependency('flatbuffers')
""",
    m, count=1, flags=re.S)
m = sub(m, """dependencies = [
  libuv_proj.get_variable('libuv_dep'),
  openssl_proj.get_variable('openssl_dep'),
  libsrtp3_proj.get_variable('libsrtp3_dep'),
  ankerl_unordered_dense_dep,
  flatbuffers_proj.get_variable('flatbuffers_dep'),
  flatbuffers_generator_dep,
]

link_whole = [
  libuv_proj.get_variable('libuv'),
  openssl_proj.get_variable('libcrypto_lib'),
  openssl_proj.get_variable('libssl_lib'),
  libsrtp3_proj.get_variable('libsrtp3'),
  flatbuffers_proj.get_variable('flatbuffers_lib'),
]
""", """dependencies = [
  libuv_dep,
  openssl_dep,
  libsrtp_dep,
  ankerl_unordered_dense_dep,
  flatbuffers_dep,
  flatbuffers_generator_dep,
]

link_whole = []
""")
m = re.sub(r"  abseil_cpp_proj = subproject\(\n    'abseil-cpp',.*?\n  \)\n",
           "  absl_dep = [dependency('absl_strings'), dependency('absl_optional'), dependency('absl_memory')]\n",
           m, count=1, flags=re.S)
m = sub(m, """    abseil_cpp_proj.get_variable('absl_container_dep'),
    libwebrtc_dep,
  ]
  link_whole += [
    abseil_cpp_proj.get_variable('absl_container_lib'),
    libwebrtc,
  ]""", """    absl_dep,
    libwebrtc_dep,
  ]
  link_whole += [
    libwebrtc,
  ]""")
if "subproject(" in m.split("if host_machine.system() == 'windows'\n  wingetopt")[0]:
    raise SystemExit("unpatched subproject() left in meson.build")
wr("meson.build", m)

# ------------------------------------------------- deps/libwebrtc/meson.build
l = rd("deps/libwebrtc/meson.build")
l = re.sub(r"abseil_cpp_proj = subproject\(\n  'abseil-cpp',.*?\n\)\n", "", l, count=1, flags=re.S)
l = l.replace("libuv_proj.get_variable('libuv_dep')", "libuv_dep")
l = l.replace("openssl_proj.get_variable('openssl_dep')", "openssl_dep")
l = l.replace("flatbuffers_proj.get_variable('flatbuffers_dep')", "flatbuffers_dep")
l = l.replace("abseil_cpp_proj.get_variable('absl_strings_dep'),\n    abseil_cpp_proj.get_variable('absl_types_dep'),", "absl_dep,")
if "_proj" in l:
    raise SystemExit("unpatched subproject reference left in deps/libwebrtc/meson.build")
wr("deps/libwebrtc/meson.build", l)

# ------------------------------------------------------ unordered_dense shim
wr("debian-shim/ankerl/unordered_dense.h", """// Shim: ankerl::unordered_dense is not packaged in Debian bookworm. Map its
// containers onto the standard ones (same API for what mediasoup uses;
// std:: containers never move elements on erase, so they are at least as safe).
#pragma once
#include <functional>
#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace ankerl::unordered_dense
{
	template<class T>
	struct hash : std::hash<T>
	{
	};

	template<
	  class Key,
	  class T,
	  class Hash     = hash<Key>,
	  class KeyEqual = std::equal_to<Key>,
	  class Alloc    = std::allocator<std::pair<const Key, T>>>
	using map = std::unordered_map<Key, T, Hash, KeyEqual, Alloc>;

	template<class Key, class Hash = hash<Key>, class KeyEqual = std::equal_to<Key>, class Alloc = std::allocator<Key>>
	using set = std::unordered_set<Key, Hash, KeyEqual, Alloc>;
} // namespace ankerl::unordered_dense
""")

# ------------------------------------------------------ libsrtp3 -> libsrtp2
d = rd("src/DepLibSRTP.cpp")
d = sub(d, '\t{ srtp_err_status_pkt_idx_adv,   "packet index advanced, reset needed" },\n\t{ srtp_err_status_buffer_small,  "out buffer is too small" },\n\t{ srtp_err_status_cryptex_err,   "unsupported cryptex operation" }\n',
        '\t{ srtp_err_status_pkt_idx_adv,   "packet index advanced, reset needed" }\n')
wr("src/DepLibSRTP.cpp", d)

s = rd("src/RTC/SrtpSession.cpp")
start = s.index("\tSrtpSession::SrtpSession(Type type, CryptoSuite cryptoSuite, uint8_t* key, size_t keyLen)")
end = s.index("\tSrtpSession::~SrtpSession()")
s = s[:start] + """\tSrtpSession::SrtpSession(Type type, CryptoSuite cryptoSuite, uint8_t* key, size_t keyLen)
	{
		MS_TRACE();

		// libsrtp2 API (Debian libsrtp2-dev) instead of the libsrtp3 fork API.
		srtp_policy_t policy; // NOLINT(cppcoreguidelines-pro-type-member-init)

		std::memset(std::addressof(policy), 0, sizeof(srtp_policy_t));

		srtp_profile_t profile;

		switch (cryptoSuite)
		{
			case CryptoSuite::AEAD_AES_256_GCM:
			{
				profile = srtp_profile_aead_aes_256_gcm;
				srtp_crypto_policy_set_aes_gcm_256_16_auth(std::addressof(policy.rtp));
				srtp_crypto_policy_set_aes_gcm_256_16_auth(std::addressof(policy.rtcp));

				break;
			}

			case CryptoSuite::AEAD_AES_128_GCM:
			{
				profile = srtp_profile_aead_aes_128_gcm;
				srtp_crypto_policy_set_aes_gcm_128_16_auth(std::addressof(policy.rtp));
				srtp_crypto_policy_set_aes_gcm_128_16_auth(std::addressof(policy.rtcp));

				break;
			}

			case CryptoSuite::AES_CM_128_HMAC_SHA1_80:
			{
				profile = srtp_profile_aes128_cm_sha1_80;
				srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(std::addressof(policy.rtp));
				srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(std::addressof(policy.rtcp));

				break;
			}

			case CryptoSuite::AES_CM_128_HMAC_SHA1_32:
			{
				profile = srtp_profile_aes128_cm_sha1_32;
				srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(std::addressof(policy.rtp));
				// NOTE: Must be 80 for RTCP (RFC 5764 4.1.2).
				srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(std::addressof(policy.rtcp));

				break;
			}

			default:
			{
				MS_ABORT("unknown SRTP crypto suite");
			}
		}

		MS_ASSERT(
		  keyLen == static_cast<size_t>(
		              srtp_profile_get_master_key_length(profile) +
		              srtp_profile_get_master_salt_length(profile)),
		  "given keyLen does not match profile master key + salt length");

		switch (type)
		{
			case Type::INBOUND:
			{
				policy.ssrc.type = ssrc_any_inbound;

				break;
			}

			case Type::OUTBOUND:
			{
				policy.ssrc.type = ssrc_any_outbound;

				break;
			}
		}

		policy.ssrc.value = 0;
		policy.key        = key;
		// Required for sending RTP retransmission without RTX.
		policy.allow_repeat_tx = 1;
		policy.window_size     = 1024;
		policy.next            = nullptr;

		// Set the SRTP session.
		const srtp_err_status_t err = srtp_create(std::addressof(this->session), std::addressof(policy));

		if (DepLibSRTP::IsError(err))
		{
			MS_THROW_ERROR("srtp_create() failed: %s", DepLibSRTP::GetErrorString(err).c_str());
		}
	}

""" + s[end:]

enc_start = s.index("\tbool SrtpSession::EncryptRtp(const uint8_t** data, size_t* len)")
s = s[:enc_start] + """\tbool SrtpSession::EncryptRtp(const uint8_t** data, size_t* len)
	{
		MS_TRACE();

		// Ensure that the resulting SRTP packet fits into the encrypt buffer.
		if (*len + SRTP_MAX_TRAILER_LEN > EncryptBufferSize)
		{
			MS_WARN_TAG(srtp, "cannot encrypt RTP packet, size too big (%zu bytes)", *len);

			return false;
		}

		std::memcpy(EncryptBuffer, *data, *len);

		int encryptLen = static_cast<int>(*len);

		const srtp_err_status_t err =
		  srtp_protect(this->session, static_cast<void*>(EncryptBuffer), std::addressof(encryptLen));

		if (DepLibSRTP::IsError(err))
		{
			MS_WARN_TAG(srtp, "srtp_protect() failed: %s", DepLibSRTP::GetErrorString(err).c_str());

			return false;
		}

		// Update the given data pointer and len.
		*data = const_cast<const uint8_t*>(EncryptBuffer);
		*len  = static_cast<size_t>(encryptLen);

		return true;
	}

	bool SrtpSession::DecryptSrtp(uint8_t* data, size_t* len)
	{
		MS_TRACE();

		int decryptLen = static_cast<int>(*len);

		const srtp_err_status_t err =
		  srtp_unprotect(this->session, static_cast<void*>(data), std::addressof(decryptLen));

		if (DepLibSRTP::IsError(err))
		{
			MS_DEBUG_TAG(srtp, "srtp_unprotect() failed: %s", DepLibSRTP::GetErrorString(err).c_str());

			return false;
		}

		// Update the given len.
		*len = static_cast<size_t>(decryptLen);

		return true;
	}

	bool SrtpSession::EncryptRtcp(const uint8_t** data, size_t* len)
	{
		MS_TRACE();

		// Ensure that the resulting SRTCP packet fits into the encrypt buffer.
		if (*len + SRTP_MAX_TRAILER_LEN > EncryptBufferSize)
		{
			MS_WARN_TAG(srtp, "cannot encrypt RTCP packet, size too big (%zu bytes)", *len);

			return false;
		}

		std::memcpy(EncryptBuffer, *data, *len);

		int encryptLen = static_cast<int>(*len);

		const srtp_err_status_t err =
		  srtp_protect_rtcp(this->session, static_cast<void*>(EncryptBuffer), std::addressof(encryptLen));

		if (DepLibSRTP::IsError(err))
		{
			MS_WARN_TAG(srtp, "srtp_protect_rtcp() failed: %s", DepLibSRTP::GetErrorString(err).c_str());

			return false;
		}

		// Update the given data pointer and len.
		*data = const_cast<const uint8_t*>(EncryptBuffer);
		*len  = static_cast<size_t>(encryptLen);

		return true;
	}

	bool SrtpSession::DecryptSrtcp(uint8_t* data, size_t* len)
	{
		MS_TRACE();

		int decryptLen = static_cast<int>(*len);

		const srtp_err_status_t err =
		  srtp_unprotect_rtcp(this->session, static_cast<void*>(data), std::addressof(decryptLen));

		if (DepLibSRTP::IsError(err))
		{
			MS_DEBUG_TAG(srtp, "srtp_unprotect_rtcp() failed: %s", DepLibSRTP::GetErrorString(err).c_str());

			return false;
		}

		// Update the given len.
		*len = static_cast<size_t>(decryptLen);

		return true;
	}
} // namespace RTC
"""
if "#include <cstring>" not in s:
    s = sub(s, '#include "MediaSoupErrors.hpp"\n', '#include "MediaSoupErrors.hpp"\n#include <cstring> // std::memcpy(), std::memset()\n')
wr("src/RTC/SrtpSession.cpp", s)

h = rd("include/RTC/SrtpSession.hpp")
h = sub(h, "srtp_stream_remove(this->session, htonl(ssrc));", "srtp_remove_stream(this->session, htonl(ssrc));")
wr("include/RTC/SrtpSession.hpp", h)
# ---------------------------------------- DtlsTransport BIO callback (kTLS)
d = rd("src/RTC/DtlsTransport.cpp")
d = sub(
    d,
    "const long resultOfcallback = (operationType == BIO_CB_RETURN) ? static_cast<long>(ret) : 1;",
    "const long resultOfcallback =\n\t  (operationType & BIO_CB_RETURN) ? static_cast<long>(ret) : 1;",
)
wr("src/RTC/DtlsTransport.cpp", d)

print("patched", W)
