//! The link layer: from a frame's bytes to the IP packet inside, for the link
//! types a student's capture has. Ethernet (with 802.1Q/802.1ad tags) from a
//! real or docker bridge interface; Linux cooked SLL and SLL2 from `-i any`
//! (SLL2 is what tshark 3.x+ and tcpdump 4.99+ write for it); BSD
//! loopback/null (either byte order) and OpenBSD loop; raw IPv4/IPv6.
//!
//! Then IP and TCP come apart with `etherparse`: [`segment`] gives the TCP
//! segment of a frame, or says why there is none.

use core::net::{IpAddr, SocketAddr};

use etherparse::{NetSlice, SlicedPacket, TransportSlice};

/// LINKTYPE_NULL: BSD loopback, a 4-byte address family in the writer's order.
pub const NULL: u32 = 0;
/// LINKTYPE_ETHERNET.
pub const ETHERNET: u32 = 1;
/// LINKTYPE_RAW: an IPv4 or IPv6 packet, no link header.
pub const RAW: u32 = 101;
/// LINKTYPE_LOOP: OpenBSD loopback, the family in network order.
pub const LOOP: u32 = 108;
/// LINKTYPE_LINUX_SLL: Linux cooked capture v1.
pub const LINUX_SLL: u32 = 113;
/// LINKTYPE_IPV4.
pub const IPV4: u32 = 228;
/// LINKTYPE_IPV6.
pub const IPV6: u32 = 229;
/// LINKTYPE_LINUX_SLL2: Linux cooked capture v2.
pub const LINUX_SLL2: u32 = 276;
/// DLT_RAW as some systems write it into files.
const DLT_RAW_12: u32 = 12;
const DLT_RAW_14: u32 = 14;

const ETHERTYPE_IPV4: u16 = 0x0800;
const ETHERTYPE_IPV6: u16 = 0x86dd;

/// A TCP segment of one frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment<'a> {
    /// Sender.
    pub src: SocketAddr,
    /// Receiver.
    pub dst: SocketAddr,
    /// Sequence number.
    pub seq: u32,
    /// SYN flag.
    pub syn: bool,
    /// ACK flag.
    pub ack: bool,
    /// FIN flag.
    pub fin: bool,
    /// RST flag.
    pub rst: bool,
    /// The segment's data.
    pub payload: &'a [u8],
}

/// Why a frame gives no TCP segment.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Skip {
    /// A link type this reader does not know (its LINKTYPE_ number).
    UnknownLinkType(u32),
    /// Not IP (ARP, LLDP...): the EtherType or address family.
    NotIp(u32),
    /// IP, but not TCP (UDP, ICMP...), or a fragment.
    NotTcp,
    /// The headers are cut short or damaged (the frame was captured with a
    /// small snap length, or is broken).
    Damaged,
}

/// The IP packet inside a frame of `link_type`.
pub fn ip_packet(link_type: u32, data: &[u8]) -> Result<&[u8], Skip> {
    let by_ethertype = |ethertype: u16, rest| match ethertype {
        ETHERTYPE_IPV4 | ETHERTYPE_IPV6 => Ok(rest),
        other => Err(Skip::NotIp(u32::from(other))),
    };
    let be16 = |at: usize| {
        data.get(at..at + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
            .ok_or(Skip::Damaged)
    };
    match link_type {
        ETHERNET => {
            let mut at = 12;
            let mut ethertype = be16(at)?;
            // 802.1Q and 802.1ad tags, as a docker host on a VLAN has.
            while matches!(ethertype, 0x8100 | 0x88a8 | 0x9100) {
                at += 4;
                ethertype = be16(at)?;
            }
            by_ethertype(ethertype, data.get(at + 2..).ok_or(Skip::Damaged)?)
        }
        LINUX_SLL => by_ethertype(be16(14)?, data.get(16..).ok_or(Skip::Damaged)?),
        LINUX_SLL2 => by_ethertype(be16(0)?, data.get(20..).ok_or(Skip::Damaged)?),
        NULL | LOOP => {
            let b = data.get(..4).ok_or(Skip::Damaged)?;
            let family = if link_type == LOOP {
                u32::from_be_bytes([b[0], b[1], b[2], b[3]])
            } else {
                // The writer's byte order: whichever reading is small.
                let le = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                let be = u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
                le.min(be)
            };
            // AF_INET is 2 everywhere; AF_INET6 is 24, 28 or 30 by system.
            match family {
                2 | 24 | 28 | 30 => Ok(&data[4..]),
                other => Err(Skip::NotIp(other)),
            }
        }
        RAW | IPV4 | IPV6 | DLT_RAW_12 | DLT_RAW_14 => Ok(data),
        other => Err(Skip::UnknownLinkType(other)),
    }
}

/// The TCP segment of a frame.
pub fn segment(link_type: u32, data: &[u8]) -> Result<Segment<'_>, Skip> {
    let ip = ip_packet(link_type, data)?;
    let sliced = SlicedPacket::from_ip(ip).map_err(|_| Skip::Damaged)?;
    let (src, dst) = match &sliced.net {
        Some(NetSlice::Ipv4(v4)) => (
            IpAddr::V4(v4.header().source_addr()),
            IpAddr::V4(v4.header().destination_addr()),
        ),
        Some(NetSlice::Ipv6(v6)) => (
            IpAddr::V6(v6.header().source_addr()),
            IpAddr::V6(v6.header().destination_addr()),
        ),
        _ => return Err(Skip::NotIp(0)),
    };
    match &sliced.transport {
        Some(TransportSlice::Tcp(tcp)) => Ok(Segment {
            src: SocketAddr::new(src, tcp.source_port()),
            dst: SocketAddr::new(dst, tcp.destination_port()),
            seq: tcp.sequence_number(),
            syn: tcp.syn(),
            ack: tcp.ack(),
            fin: tcp.fin(),
            rst: tcp.rst(),
            payload: tcp.payload(),
        }),
        _ => Err(Skip::NotTcp),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An IPv4 TCP packet 127.0.0.1:50000 → 127.0.0.1:1883 carrying `payload`.
    pub(crate) fn ipv4_tcp(payload: &[u8], seq: u32, flags: u8) -> Vec<u8> {
        let total = 20 + 20 + payload.len();
        let mut p = vec![
            0x45,
            0,
            (total >> 8) as u8,
            total as u8,
            0,
            0,
            0x40,
            0,
            64,
            6,
            0,
            0,
        ];
        p.extend_from_slice(&[127, 0, 0, 1, 127, 0, 0, 1]);
        p.extend_from_slice(&50000u16.to_be_bytes());
        p.extend_from_slice(&1883u16.to_be_bytes());
        p.extend_from_slice(&seq.to_be_bytes());
        p.extend_from_slice(&0u32.to_be_bytes());
        p.extend_from_slice(&[0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
        p.extend_from_slice(payload);
        p
    }

    #[test]
    fn every_link_type_leads_to_the_same_segment() {
        let ip = ipv4_tcp(&[0xc0, 0x00], 7, 0x18);
        let mut eth = vec![0; 12];
        eth.extend_from_slice(&[0x81, 0x00, 0, 1, 0x08, 0x00]);
        eth.extend_from_slice(&ip);
        let mut sll = vec![0; 14];
        sll.extend_from_slice(&[0x08, 0x00]);
        sll.extend_from_slice(&ip);
        let mut sll2 = vec![0x08, 0x00];
        sll2.extend_from_slice(&[0; 18]);
        sll2.extend_from_slice(&ip);
        let mut null = vec![2, 0, 0, 0];
        null.extend_from_slice(&ip);
        for (link, frame) in [
            (ETHERNET, &eth),
            (LINUX_SLL, &sll),
            (LINUX_SLL2, &sll2),
            (NULL, &null),
            (RAW, &ip),
        ] {
            let s = segment(link, frame).unwrap_or_else(|e| panic!("link {link}: {e:?}"));
            assert_eq!(s.src.to_string(), "127.0.0.1:50000");
            assert_eq!(s.dst.port(), 1883);
            assert_eq!(s.seq, 7);
            assert!(s.ack && !s.syn);
            assert_eq!(s.payload, &[0xc0, 0x00]);
        }
        assert_eq!(segment(9999, &ip), Err(Skip::UnknownLinkType(9999)));
        // IPv6: [::1]:50000 → [::1]:1883, raw and in a BSD loopback frame
        // (AF_INET6 is 30 on macOS, where Wireshark users capture lo0).
        let mut v6 = vec![0x60, 0, 0, 0, 0, 22, 6, 64];
        v6.extend_from_slice(&[0; 15]);
        v6.push(1);
        v6.extend_from_slice(&[0; 15]);
        v6.push(1);
        v6.extend_from_slice(&ip[20..]);
        let mut null6 = vec![30, 0, 0, 0];
        null6.extend_from_slice(&v6);
        for (link, frame) in [(RAW, &v6), (NULL, &null6)] {
            let s = segment(link, frame).unwrap_or_else(|e| panic!("link {link}: {e:?}"));
            assert_eq!(s.src.to_string(), "[::1]:50000");
            assert_eq!(s.dst.to_string(), "[::1]:1883");
            assert_eq!(s.payload, &[0xc0, 0x00]);
        }
        let mut arp = vec![0; 12];
        arp.extend_from_slice(&[0x08, 0x06, 0, 0]);
        assert_eq!(segment(ETHERNET, &arp), Err(Skip::NotIp(0x0806)));
        assert_eq!(segment(ETHERNET, &eth[..20]), Err(Skip::Damaged));
    }
}
