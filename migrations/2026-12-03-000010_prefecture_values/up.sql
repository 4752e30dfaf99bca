-- Prefectures were checked only for their shape (upper-case letters), so a
-- value the application does not know could be stored. Listed like every
-- other stored enum, they are also compared with the `Prefecture` enum by
-- the test of stored enums.
ALTER TABLE membership.profiles
    DROP CONSTRAINT profiles_prefecture_check,
    ADD CONSTRAINT profiles_prefecture_check CHECK (prefecture IN (
        'HOKKAIDO', 'AOMORI', 'IWATE', 'MIYAGI', 'AKITA', 'YAMAGATA',
        'FUKUSHIMA', 'IBARAKI', 'TOCHIGI', 'GUNMA', 'SAITAMA', 'CHIBA',
        'TOKYO', 'KANAGAWA', 'NIIGATA', 'TOYAMA', 'ISHIKAWA', 'FUKUI',
        'YAMANASHI', 'NAGANO', 'GIFU', 'SHIZUOKA', 'AICHI', 'MIE',
        'SHIGA', 'KYOTO', 'OSAKA', 'HYOGO', 'NARA', 'WAKAYAMA',
        'TOTTORI', 'SHIMANE', 'OKAYAMA', 'HIROSHIMA', 'YAMAGUCHI',
        'TOKUSHIMA', 'KAGAWA', 'EHIME', 'KOCHI', 'FUKUOKA', 'SAGA',
        'NAGASAKI', 'KUMAMOTO', 'OITA', 'MIYAZAKI', 'KAGOSHIMA',
        'OKINAWA', 'OVERSEAS'
    ));
