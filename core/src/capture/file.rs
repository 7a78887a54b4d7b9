//! The capture file: classic pcap (microsecond or nanosecond, either byte
//! order) and pcapng (any number of sections and interfaces, each with its own
//! link type and timestamp resolution), read by the `pcap-file` crate from a
//! byte slice. What comes out is a [`Frame`] per packet record, numbered from 1
//! as Wireshark numbers them, with its time in nanoseconds since the Unix epoch.
//!
//! A damaged file is an error value naming the byte offset of the record that
//! could not be read; the frames before it are kept (as tshark does with "cut
//! short in the middle of a packet").

use core::fmt;
use std::borrow::Cow;

use pcap_file::pcap::PcapParser;
use pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionOption;
use pcap_file::pcapng::{Block, PcapNgParser};
use pcap_file::PcapError;

/// The two file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Format {
    /// libpcap's classic format (tcpdump, `tshark -F pcap`).
    Pcap,
    /// pcapng (Wireshark's and dumpcap's default).
    PcapNg,
}

/// One packet record of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame<'a> {
    /// 1 for the first packet, as Wireshark's `frame.number`.
    pub number: u32,
    /// Nanoseconds since 1970-01-01 UTC.
    pub time_ns: u64,
    /// The link-layer header type (tcpdump.org's LINKTYPE_ numbers).
    pub link_type: u32,
    /// The bytes captured (maybe fewer than were on the wire).
    pub data: Cow<'a, [u8]>,
    /// Where the record starts in the file.
    pub offset: usize,
}

/// What is wrong with a file, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct FileError {
    /// What.
    pub kind: FileErrorKind,
    /// Byte offset in the file of the header or record that could not be read.
    pub offset: usize,
}

/// The ways a file can fail to be a capture.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum FileErrorKind {
    /// The first four bytes are neither a pcap nor a pcapng magic number.
    NotACapture {
        /// The first bytes of the file (up to four).
        magic: Vec<u8>,
    },
    /// A gzip file: Wireshark's compressed save, to be uncompressed first.
    Compressed,
    /// The file ends in the middle of a header or record.
    Truncated,
    /// A field holds a value the format does not allow (the crate's words).
    Invalid(String),
    /// A pcapng packet names an interface no Interface Description Block
    /// described.
    UnknownInterface(u32),
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            FileErrorKind::NotACapture { magic } => {
                write!(f, "not a pcap or pcapng file: it starts with")?;
                for b in magic {
                    write!(f, " {b:02x}")?;
                }
            }
            FileErrorKind::Compressed => {
                f.write_str("a gzip-compressed file: uncompress it first")?
            }
            FileErrorKind::Truncated => {
                f.write_str("the file is cut short in the middle of a record")?
            }
            FileErrorKind::Invalid(what) => write!(f, "a damaged record: {what}")?,
            FileErrorKind::UnknownInterface(i) => write!(
                f,
                "a packet of interface {i}, which the file never describes"
            )?,
        }
        write!(f, " (byte offset {})", self.offset)
    }
}

impl std::error::Error for FileError {}

impl FileError {
    fn from_pcap(e: PcapError, offset: usize) -> FileError {
        let kind = match e {
            PcapError::IncompleteBuffer => FileErrorKind::Truncated,
            PcapError::InvalidField(what) => FileErrorKind::Invalid(what.to_string()),
            PcapError::InvalidInterfaceId(i) => FileErrorKind::UnknownInterface(i),
            PcapError::Utf8Error(_) | PcapError::FromUtf8Error(_) => {
                FileErrorKind::Invalid("an option's text is not UTF-8".into())
            }
            PcapError::IoError(e) => FileErrorKind::Invalid(e.to_string()),
        };
        FileError { kind, offset }
    }
}

/// One pcapng interface: its link type and how to turn its timestamps into
/// nanoseconds.
#[derive(Debug, Clone, Copy)]
struct Interface {
    link_type: u32,
    /// `if_tsresol`: the MSB says base 2, the rest is the negative exponent.
    tsresol: u8,
    /// `if_tsoffset`, seconds.
    offset_secs: u64,
}

impl Interface {
    fn nanos(&self, units: u64) -> u64 {
        let units = u128::from(units);
        let ns = if self.tsresol & 0x80 != 0 {
            let exp = u32::from(self.tsresol & 0x7f).min(127);
            (units * 1_000_000_000) >> exp
        } else {
            let exp = u32::from(self.tsresol);
            if exp <= 9 {
                units * 10u128.pow(9 - exp)
            } else {
                units / 10u128.pow((exp - 9).min(38))
            }
        };
        let ns = ns.saturating_add(u128::from(self.offset_secs) * 1_000_000_000);
        u64::try_from(ns).unwrap_or(u64::MAX)
    }
}

enum Inner {
    Pcap(PcapParser),
    PcapNg {
        parser: PcapNgParser,
        interfaces: Vec<Interface>,
    },
}

/// The frames of a file, in order; after an error, nothing more.
pub struct Frames<'a> {
    file: &'a [u8],
    rest: &'a [u8],
    inner: Inner,
    format: Format,
    number: u32,
    done: bool,
}

impl<'a> Frames<'a> {
    /// Reads the file header (pcap) or first section header (pcapng).
    pub fn new(file: &'a [u8]) -> Result<Frames<'a>, FileError> {
        let magic = file.get(..4).unwrap_or(file);
        let format = match magic {
            [0xa1, 0xb2, 0xc3, 0xd4]
            | [0xd4, 0xc3, 0xb2, 0xa1]
            | [0xa1, 0xb2, 0x3c, 0x4d]
            | [0x4d, 0x3c, 0xb2, 0xa1] => Format::Pcap,
            [0x0a, 0x0d, 0x0d, 0x0a] => Format::PcapNg,
            [0x1f, 0x8b, ..] => {
                return Err(FileError {
                    kind: FileErrorKind::Compressed,
                    offset: 0,
                })
            }
            _ if file.len() < 4 => {
                return Err(FileError {
                    kind: FileErrorKind::Truncated,
                    offset: 0,
                })
            }
            _ => {
                return Err(FileError {
                    kind: FileErrorKind::NotACapture {
                        magic: magic.to_vec(),
                    },
                    offset: 0,
                })
            }
        };
        let (rest, inner) = match format {
            Format::Pcap => {
                let (rest, parser) =
                    PcapParser::new(file).map_err(|e| FileError::from_pcap(e, 0))?;
                (rest, Inner::Pcap(parser))
            }
            Format::PcapNg => {
                let (rest, parser) =
                    PcapNgParser::new(file).map_err(|e| FileError::from_pcap(e, 0))?;
                (
                    rest,
                    Inner::PcapNg {
                        parser,
                        interfaces: Vec::new(),
                    },
                )
            }
        };
        Ok(Frames {
            file,
            rest,
            inner,
            format,
            number: 0,
            done: false,
        })
    }

    /// The file's format.
    pub fn format(&self) -> Format {
        self.format
    }

    fn offset(&self) -> usize {
        self.file.len() - self.rest.len()
    }

    fn next_frame(&mut self) -> Result<Option<Frame<'a>>, FileError> {
        loop {
            if self.rest.is_empty() {
                return Ok(None);
            }
            let offset = self.offset();
            let fail = |e| FileError::from_pcap(e, offset);
            match &mut self.inner {
                Inner::Pcap(parser) => {
                    let (rest, packet) = parser.next_packet(self.rest).map_err(fail)?;
                    self.rest = rest;
                    self.number += 1;
                    return Ok(Some(Frame {
                        number: self.number,
                        time_ns: u64::try_from(packet.timestamp.as_nanos()).unwrap_or(u64::MAX),
                        link_type: u32::from(parser.header().datalink),
                        data: packet.data,
                        offset,
                    }));
                }
                Inner::PcapNg { parser, interfaces } => {
                    let (rest, block) = parser.next_block(self.rest).map_err(fail)?;
                    self.rest = rest;
                    let interface = |id: u32| {
                        interfaces.get(id as usize).copied().ok_or(FileError {
                            kind: FileErrorKind::UnknownInterface(id),
                            offset,
                        })
                    };
                    let (iface, units, data) = match block {
                        Block::SectionHeader(_) => {
                            interfaces.clear();
                            continue;
                        }
                        Block::InterfaceDescription(idb) => {
                            let mut i = Interface {
                                link_type: u32::from(idb.linktype),
                                tsresol: 6,
                                offset_secs: 0,
                            };
                            for option in &idb.options {
                                match option {
                                    InterfaceDescriptionOption::IfTsResol(r) => i.tsresol = *r,
                                    InterfaceDescriptionOption::IfTsOffset(o) => i.offset_secs = *o,
                                    _ => {}
                                }
                            }
                            interfaces.push(i);
                            continue;
                        }
                        Block::EnhancedPacket(epb) => {
                            // pcap-file hands the raw timestamp units over as
                            // nanoseconds; the interface says what they are.
                            let units = u64::try_from(epb.timestamp.as_nanos()).unwrap_or(u64::MAX);
                            (interface(epb.interface_id)?, units, epb.data)
                        }
                        Block::Packet(pb) => (
                            interface(u32::from(pb.interface_id))?,
                            pb.timestamp,
                            pb.data,
                        ),
                        Block::SimplePacket(spb) => (interface(0)?, 0, spb.data),
                        _ => continue,
                    };
                    self.number += 1;
                    return Ok(Some(Frame {
                        number: self.number,
                        time_ns: iface.nanos(units),
                        link_type: iface.link_type,
                        data,
                        offset,
                    }));
                }
            }
        }
    }
}

impl<'a> Iterator for Frames<'a> {
    type Item = Result<Frame<'a>, FileError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.next_frame() {
            Ok(Some(f)) => Some(Ok(f)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A classic little-endian microsecond pcap: Ethernet, one 3-byte frame.
    fn tiny_pcap() -> Vec<u8> {
        let mut f = Vec::new();
        f.extend_from_slice(&[0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0]);
        f.extend_from_slice(&[0; 8]);
        f.extend_from_slice(&65535u32.to_le_bytes());
        f.extend_from_slice(&1u32.to_le_bytes());
        f.extend_from_slice(&1_700_000_000u32.to_le_bytes());
        f.extend_from_slice(&250_000u32.to_le_bytes());
        f.extend_from_slice(&3u32.to_le_bytes());
        f.extend_from_slice(&3u32.to_le_bytes());
        f.extend_from_slice(&[1, 2, 3]);
        f
    }

    #[test]
    fn a_pcap_record_is_a_numbered_timed_frame() {
        let file = tiny_pcap();
        let mut frames = Frames::new(&file).unwrap();
        assert_eq!(frames.format(), Format::Pcap);
        let f = frames.next().unwrap().unwrap();
        assert_eq!(f.number, 1);
        assert_eq!(f.time_ns, 1_700_000_000_250_000_000);
        assert_eq!(f.link_type, 1);
        assert_eq!(&f.data[..], &[1, 2, 3]);
        assert_eq!(f.offset, 24);
        assert!(frames.next().is_none());
    }

    #[test]
    fn a_cut_file_names_the_record_it_cuts() {
        let file = tiny_pcap();
        let cut = &file[..file.len() - 1];
        let mut frames = Frames::new(cut).unwrap();
        let e = frames.next().unwrap().unwrap_err();
        assert_eq!(e.kind, FileErrorKind::Truncated);
        assert_eq!(e.offset, 24);
        assert_eq!(
            e.to_string(),
            "the file is cut short in the middle of a record (byte offset 24)"
        );
        assert!(frames.next().is_none());
        let e = Frames::new(b"GET / HTTP/1.1").err().unwrap();
        assert_eq!(
            e.kind,
            FileErrorKind::NotACapture {
                magic: b"GET ".to_vec()
            }
        );
        assert_eq!(
            Frames::new(&file[..10]).err().unwrap().kind,
            FileErrorKind::Truncated
        );
        assert_eq!(
            Frames::new(&[0x1f, 0x8b, 8, 0]).err().unwrap().kind,
            FileErrorKind::Compressed
        );
    }

    #[test]
    fn pcapng_resolutions() {
        let us = Interface {
            link_type: 1,
            tsresol: 6,
            offset_secs: 0,
        };
        assert_eq!(us.nanos(1_500_000), 1_500_000_000);
        let ns = Interface { tsresol: 9, ..us };
        assert_eq!(ns.nanos(7), 7);
        let bin = Interface {
            tsresol: 0x80 | 10,
            ..us
        };
        assert_eq!(bin.nanos(1024), 1_000_000_000);
        let off = Interface {
            offset_secs: 2,
            ..us
        };
        assert_eq!(off.nanos(1), 2_000_001_000);
    }
}
