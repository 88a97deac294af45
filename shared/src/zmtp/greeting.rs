//! The greeting each side sends first: 64 octets announcing the protocol
//! version and the security mechanism (RFC 23, "Formal Grammar").
//!
//! ```text
//! %xFF, 8 octets of padding, %x7F    signature (octets 0–9)
//! major, minor                       version (10, 11)
//! 20 octets, NUL-padded              mechanism, "NULL" here (12–31)
//! %x00 or %x01                       as-server (32)
//! 31 × %x00                          filler (33–63)
//! ```

use super::error::ZmtpError;

/// Octets in a ZMTP 3.x greeting.
pub const GREETING_LEN: usize = 64;

/// The only mechanism Fanout speaks: no authentication, no encryption.
pub const NULL_MECHANISM: &[u8] = b"NULL";

/// A decoded greeting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Greeting {
    pub major: u8,
    pub minor: u8,
    /// The mechanism's name, NUL padding removed.
    pub mechanism: Vec<u8>,
    pub as_server: bool,
}

impl Greeting {
    /// The greeting Fanout sends: ZMTP 3.1, NULL, not as server (NULL has
    /// no server role).
    pub fn ours() -> Greeting {
        Greeting {
            major: 3,
            minor: 1,
            mechanism: NULL_MECHANISM.to_vec(),
            as_server: false,
        }
    }

    pub fn encode(&self) -> [u8; GREETING_LEN] {
        let mut out = [0u8; GREETING_LEN];
        out[0] = 0xFF;
        out[9] = 0x7F;
        out[10] = self.major;
        out[11] = self.minor;
        let name = &self.mechanism[..self.mechanism.len().min(20)];
        out[12..12 + name.len()].copy_from_slice(name);
        out[32] = u8::from(self.as_server);
        out
    }

    /// Reads a whole greeting. The padding is not significant and is not
    /// checked (RFC 23); a version below 3 is refused (a ZMTP 1.0 or 2.0
    /// peer: Fanout does not downgrade), and so is any mechanism but NULL.
    pub fn decode(bytes: &[u8; GREETING_LEN]) -> Result<Greeting, ZmtpError> {
        if bytes[0] != 0xFF || bytes[9] & 0x01 != 0x01 {
            return Err(ZmtpError::NotZmtp {
                first: bytes[..10.min(bytes.len())].to_vec(),
            });
        }
        let major = bytes[10];
        if major < 3 {
            return Err(ZmtpError::OldVersion { major });
        }
        let mechanism: Vec<u8> = bytes[12..32]
            .iter()
            .copied()
            .take_while(|b| *b != 0)
            .collect();
        if mechanism != NULL_MECHANISM {
            return Err(ZmtpError::Mechanism {
                name: String::from_utf8_lossy(&mechanism).into_owned(),
            });
        }
        Ok(Greeting {
            major,
            minor: bytes[11],
            mechanism,
            as_server: bytes[32] == 1,
        })
    }

    /// Whether the peer speaks ZMTP 3.1 or later (SUBSCRIBE/CANCEL and
    /// PING/PONG commands); a 3.0 peer gets subscriptions as messages.
    pub fn speaks_3_1(&self) -> bool {
        (self.major, self.minor) >= (3, 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 23's worked example: the partial greeting (signature and major
    /// version), then the rest (minor 0, "NULL", as-server 0, filler).
    #[test]
    fn the_rfc_23_example_greeting_reads_as_3_0_null() {
        let mut bytes = [0u8; GREETING_LEN];
        bytes[0] = 0xFF;
        bytes[9] = 0x7F;
        bytes[10] = 0x03;
        bytes[11] = 0x00;
        bytes[12..16].copy_from_slice(b"NULL");
        let greeting = Greeting::decode(&bytes).unwrap();
        assert_eq!(
            greeting,
            Greeting {
                major: 3,
                minor: 0,
                mechanism: b"NULL".to_vec(),
                as_server: false
            }
        );
        assert!(!greeting.speaks_3_1());
        let mut as_31 = bytes;
        as_31[11] = 1;
        assert!(Greeting::decode(&as_31).unwrap().speaks_3_1());
    }

    #[test]
    fn ours_round_trips_and_has_the_fixed_layout() {
        let bytes = Greeting::ours().encode();
        assert_eq!(bytes[0], 0xFF);
        assert_eq!(&bytes[1..9], &[0; 8]);
        assert_eq!(bytes[9], 0x7F);
        assert_eq!((bytes[10], bytes[11]), (3, 1));
        assert_eq!(&bytes[12..16], b"NULL");
        assert!(bytes[16..].iter().all(|b| *b == 0));
        assert_eq!(Greeting::decode(&bytes).unwrap(), Greeting::ours());
    }

    #[test]
    fn padding_is_not_significant_but_the_rest_is() {
        let mut bytes = Greeting::ours().encode();
        bytes[1..9].copy_from_slice(&[7; 8]);
        assert!(Greeting::decode(&bytes).is_ok(), "padding is ignored");

        let mut http = [0u8; GREETING_LEN];
        http[..16].copy_from_slice(b"GET / HTTP/1.1\r\n");
        assert!(matches!(
            Greeting::decode(&http),
            Err(ZmtpError::NotZmtp { .. })
        ));

        let mut v2 = Greeting::ours().encode();
        v2[10] = 1;
        assert_eq!(
            Greeting::decode(&v2),
            Err(ZmtpError::OldVersion { major: 1 })
        );

        let mut curve = Greeting::ours().encode();
        curve[12..17].copy_from_slice(b"CURVE");
        assert_eq!(
            Greeting::decode(&curve),
            Err(ZmtpError::Mechanism {
                name: "CURVE".into()
            })
        );
    }
}
