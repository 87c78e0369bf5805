//! Who is at the other end: the client's address (the connection's peer, or what a configured
//! trusted proxy says), and the live-stream slots each address and the instance may hold.

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderName;
use axum::middleware::Next;
use axum::response::Response;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use wanshan_app::functions::ClientAddr;

/// Where the client's address comes from: the TCP peer, unless a trusted proxy in front of the
/// server puts it in a header (nginx: `proxy_set_header X-Real-IP $remote_addr`). The header is
/// read only when configured; a client cannot choose its own address by sending it.
#[derive(Clone, Debug, Default)]
pub struct AddressSource {
    pub trusted_header: Option<HeaderName>,
}

impl AddressSource {
    /// The client's address for a request with these headers from `peer`. A header of the
    /// `X-Forwarded-For` kind lists several: the last is the one the trusted proxy added.
    pub fn client(&self, headers: &http::HeaderMap, peer: Option<IpAddr>) -> Option<IpAddr> {
        let forwarded = self.trusted_header.as_ref().and_then(|name| {
            headers
                .get(name)?
                .to_str()
                .ok()?
                .rsplit(',')
                .next()?
                .trim()
                .parse::<IpAddr>()
                .ok()
        });
        forwarded.or(peer).map(one_client)
    }
}

/// The address limits count by: an IPv4 address as it is (an IPv4 address seen over IPv6 as
/// its IPv4 form), an IPv6 address by its /64 network, which one subscriber typically holds
/// whole: otherwise one home connection would be 2^64 clients, each with its own allowance.
pub fn one_client(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let network = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(std::net::Ipv6Addr::from(network))
            }
        },
    }
}

/// Puts the client's address ([`ClientAddr`]) in the request's extensions.
pub async fn resolve_client(
    State(source): State<AddressSource>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    if let Some(client) = source.client(request.headers(), peer) {
        request.extensions_mut().insert(ClientAddr(client));
    }
    next.run(request).await
}

/// The live streams this instance holds, by client address, within two caps: a stranger
/// cannot hold the instance's streams (or its memory) by opening thousands from one address,
/// and all addresses together cannot pass what the instance was sized for. Beyond either, a
/// stream is refused (503 `Busy`, Retry-After) before any work.
#[derive(Clone, Debug)]
pub struct StreamSlots {
    held: Arc<Mutex<Held>>,
    per_instance: usize,
    per_address: usize,
}

#[derive(Debug, Default)]
struct Held {
    total: usize,
    by_address: HashMap<Option<IpAddr>, usize>,
}

/// One open stream's slot; given back when dropped (the stream ended or the client left).
#[derive(Debug)]
pub struct StreamSlot {
    slots: StreamSlots,
    address: Option<IpAddr>,
}

impl StreamSlots {
    pub fn new(per_instance: usize, per_address: usize) -> StreamSlots {
        StreamSlots {
            held: Arc::default(),
            per_instance,
            per_address,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Held> {
        self.held
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A slot for a stream from `address`, or `None` past either cap.
    pub fn take(&self, address: Option<IpAddr>) -> Option<StreamSlot> {
        let mut held = self.lock();
        if held.total >= self.per_instance {
            return None;
        }
        let mine = held.by_address.entry(address).or_insert(0);
        if *mine >= self.per_address {
            return None;
        }
        *mine += 1;
        held.total += 1;
        Some(StreamSlot {
            slots: self.clone(),
            address,
        })
    }

    /// How many streams are open now.
    pub fn open(&self) -> usize {
        self.lock().total
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut held = self.slots.lock();
        held.total = held.total.saturating_sub(1);
        if let Some(count) = held.by_address.get_mut(&self.address) {
            *count -= 1;
            if *count == 0 {
                held.by_address.remove(&self.address);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_capped_per_address_and_per_instance_and_slots_come_back() {
        let slots = StreamSlots::new(3, 2);
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        let first = slots.take(Some(a)).expect("a slot");
        let _second = slots.take(Some(a)).expect("a second slot");
        assert!(slots.take(Some(a)).is_none(), "a third from one address");
        let _other = slots.take(Some(b)).expect("another address");
        assert!(slots.take(Some(b)).is_none(), "past the instance's cap");
        drop(first);
        assert_eq!(slots.open(), 2);
        assert!(slots.take(Some(a)).is_some(), "the slot came back");
        assert!(slots.lock().by_address.len() <= 2);
    }

    #[test]
    fn the_address_header_is_read_only_when_a_trusted_proxy_is_configured() {
        let mut headers = http::HeaderMap::new();
        headers.insert("x-real-ip", "203.0.113.9".parse().unwrap());
        let peer: IpAddr = "127.0.0.1".parse().unwrap();
        assert_eq!(
            AddressSource::default().client(&headers, Some(peer)),
            Some(peer)
        );
        let proxied = AddressSource {
            trusted_header: Some(HeaderName::from_static("x-real-ip")),
        };
        assert_eq!(
            proxied.client(&headers, Some(peer)),
            Some("203.0.113.9".parse().unwrap())
        );
        let forwarded = AddressSource {
            trusted_header: Some(HeaderName::from_static("x-forwarded-for")),
        };
        headers.insert("x-forwarded-for", "1.2.3.4, 198.51.100.7".parse().unwrap());
        assert_eq!(
            forwarded.client(&headers, Some(peer)),
            Some("198.51.100.7".parse().unwrap())
        );
        headers.insert("x-forwarded-for", "not an address".parse().unwrap());
        assert_eq!(forwarded.client(&headers, Some(peer)), Some(peer));
    }

    #[test]
    fn an_ipv6_network_is_one_client_and_a_mapped_ipv4_address_is_itself() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff:ffff:ffff:ffff".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(one_client(a), one_client(b));
        assert_ne!(one_client(a), one_client(other));
        assert_eq!(
            one_client("::ffff:203.0.113.9".parse().unwrap()),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
    }
}
