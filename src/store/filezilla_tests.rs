//! Tests of the `FileZilla` Site Manager import.

use super::*;

/// A Site Manager file as `FileZilla` 3.6x writes it: nested folders, every protocol Skiff
/// knows, an SFTP site, base64 and encrypted passwords, entities.
const SAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>
<FileZilla3 version="3.66.5" platform="windows">
    <Servers>
        <Server>
            <Host>ftp.example.com</Host>
            <Port>21</Port>
            <Protocol>0</Protocol>
            <Type>0</Type>
            <User>ann</User>
            <Pass encoding="base64">aHVudGVyMiAmIG1vcmU=</Pass>
            <Logontype>1</Logontype>
            <PasvMode>MODE_DEFAULT</PasvMode>
            <EncodingType>Auto</EncodingType>
            <BypassProxy>0</BypassProxy>
            <Name>Top &amp; level</Name>
            <Comments>first line&#10;second</Comments>
            <LocalDir>/home/ann/site</LocalDir>
            <RemoteDir>1 0 3 www 7 my site</RemoteDir>
            <SyncBrowsing>0</SyncBrowsing>
            <DirectoryComparison>0</DirectoryComparison>
        </Server>
        <Folder expanded="1">Work
            <Server>
                <Host>secure.example.com</Host>
                <Port>990</Port>
                <Protocol>3</Protocol>
                <User>bob</User>
                <Pass encoding="base64">c2VjcmV0LWltcGxpY2l0</Pass>
                <Logontype>1</Logontype>
                <PasvMode>MODE_PASSIVE</PasvMode>
                <MaximumMultipleConnections>4</MaximumMultipleConnections>
                <Name>implicit</Name>
                <RemoteDir>1 0</RemoteDir>
            </Server>
            <Folder>Clients
                <Server>
                    <Host>explicit.example.com</Host>
                    <Port>2121</Port>
                    <Protocol>4</Protocol>
                    <User>carol</User>
                    <Logontype>2</Logontype>
                    <PasvMode>MODE_ACTIVE</PasvMode>
                    <Name>explicit</Name>
                </Server>
                <Server>
                    <Host>sftp.example.com</Host>
                    <Port>22</Port>
                    <Protocol>1</Protocol>
                    <User>dave</User>
                    <Pass encoding="base64">c2Z0cC1wYXNz</Pass>
                    <Logontype>1</Logontype>
                    <Name>sftp-box</Name>
                </Server>
            </Folder>
            <Folder>Empty</Folder>
        </Folder>
        <Server>
            <Host>mirror.example.org</Host>
            <Port>21</Port>
            <Protocol>6</Protocol>
            <Logontype>0</Logontype>
            <Name>mirror</Name>
        </Server>
        <Server>
            <Host>locked.example.org</Host>
            <Protocol>0</Protocol>
            <User>erin</User>
            <Pass encoding="crypt" pubkey="ABCDEF">0123456789abcdef</Pass>
            <Logontype>1</Logontype>
            <Name>locked</Name>
        </Server>
    </Servers>
</FileZilla3>
"#;

#[test]
fn imports_folders_protocols_users_and_passwords() {
    let imported = parse_sitemanager(SAMPLE).unwrap();
    assert_eq!(imported.folders, ["Work", "Work/Clients", "Work/Empty"]);
    let paths: Vec<String> = imported.sites.iter().map(Bookmark::path).collect();
    assert_eq!(
        paths,
        [
            "Top & level",
            "Work/implicit",
            "Work/Clients/explicit",
            "mirror",
            "locked"
        ]
    );
    let [top, implicit, explicit, mirror, locked] = imported.sites.as_slice() else {
        panic!()
    };

    assert_eq!((top.host.as_str(), top.port), ("ftp.example.com", None));
    assert_eq!(top.protocol, Protocol::Ftp);
    assert_eq!((top.logon, top.user.as_str()), (Logon::Normal, "ann"));
    assert_eq!(top.mode, DataMode::Auto);
    assert_eq!(top.comment, "first line\nsecond");
    assert_eq!(top.local_folder, "/home/ann/site");
    assert_eq!(top.remote_folder, "/www/my site");

    assert_eq!(implicit.protocol, Protocol::ImplicitTls);
    assert_eq!(implicit.port, None, "990 is implicit TLS's default");
    assert_eq!(implicit.mode, DataMode::Passive);
    assert_eq!(implicit.connections, 4);
    assert_eq!(implicit.remote_folder, "");

    assert_eq!(explicit.protocol, Protocol::ExplicitTls);
    assert_eq!(explicit.port, Some(2121));
    assert_eq!(explicit.logon, Logon::Ask);
    assert_eq!(explicit.mode, DataMode::Active);

    assert_eq!(
        (mirror.protocol, mirror.logon),
        (Protocol::Ftp, Logon::Anonymous)
    );
    assert_eq!(locked.logon, Logon::Normal);

    let passwords: Vec<(&str, &str)> = imported
        .passwords
        .iter()
        .map(|(id, p)| (id.as_str(), p.expose()))
        .collect();
    assert_eq!(
        passwords,
        [
            (top.id.as_str(), "hunter2 & more"),
            (implicit.id.as_str(), "secret-implicit")
        ]
    );
    assert_eq!(
        imported.skipped,
        [(
            "Work/Clients/sftp-box".to_owned(),
            "SFTP is not supported".to_owned()
        )]
    );
    assert_eq!(imported.warnings.len(), 1);
    assert_eq!(imported.warnings[0].0, "locked");
    assert!(imported.warnings[0].1.contains("master password"));
    // Debug output never shows a password.
    let debug = format!("{imported:?}");
    assert!(!debug.contains("hunter2") && !debug.contains("secret-implicit"));
}

#[test]
fn merge_adds_once_and_reports() {
    let mut sites = Sites::default();
    let report = parse_sitemanager(SAMPLE).unwrap().merge_into(&mut sites);
    assert_eq!(report.added, 5);
    assert_eq!(report.passwords.len(), 2);
    assert_eq!(
        report.summary(2),
        "Imported 5 sites in 3 folders (2 passwords to the keyring); skipped 1: Work/Clients/sftp-box (SFTP is not supported)"
    );
    assert_eq!(sites.folders, ["Work", "Work/Clients", "Work/Empty"]);
    assert_eq!(sites.sites.len(), 5);

    // The same file again: nothing new, and no passwords for sites not added.
    let again = parse_sitemanager(SAMPLE).unwrap().merge_into(&mut sites);
    assert_eq!((again.added, again.passwords.len()), (0, 0));
    assert_eq!(again.skipped.len(), 6);
    assert_eq!(sites.sites.len(), 5);
    assert!(
        again
            .summary(0)
            .starts_with("Imported 0 sites in 3 folders; skipped 6: ")
    );
}

#[test]
fn old_files_with_names_as_text_and_plain_passwords() {
    let xml = "<FileZilla3><Servers><Folder>Old<Server><Host>h</Host><Port>2121</Port>\
               <Protocol>0</Protocol><User>u</User><Pass>plain pw</Pass><Logontype>1</Logontype>\
               old name</Server></Folder></Servers></FileZilla3>";
    let imported = parse_sitemanager(xml).unwrap();
    assert_eq!(imported.sites.len(), 1);
    assert_eq!(imported.sites[0].path(), "Old/old name");
    assert_eq!(imported.sites[0].port, Some(2121));
    assert_eq!(imported.passwords[0].1.expose(), "plain pw");
}

#[test]
fn other_protocols_and_bad_values_are_skipped_or_ignored() {
    let xml = "<FileZilla3><Servers>\
        <Server><Host>s3</Host><Protocol>7</Protocol><Name>bucket</Name></Server>\
        <Server><Host>x</Host><Protocol>42</Protocol><Name>future</Name></Server>\
        <Server><Protocol>0</Protocol><Name>nohost</Name></Server>\
        <Server><Host>h</Host><Port>99999</Port><User>u</User>\
          <Pass encoding=\"base64\">!!!</Pass><Logontype>1</Logontype><Name>odd</Name>\
          <RemoteDir>garbage</RemoteDir></Server>\
        <Server><Host>k</Host><User>u</User><Pass encoding=\"base64\">cHc=</Pass>\
          <Logontype>5</Logontype><Name>key</Name></Server>\
        </Servers></FileZilla3>";
    let imported = parse_sitemanager(xml).unwrap();
    let skipped: Vec<&str> = imported
        .skipped
        .iter()
        .map(|(_, why)| why.as_str())
        .collect();
    assert_eq!(
        skipped,
        [
            "Amazon S3 is not supported",
            "FileZilla protocol 42 is not supported",
            "no host"
        ]
    );
    let [odd, key] = imported.sites.as_slice() else {
        panic!("{:?}", imported.sites)
    };
    assert_eq!((odd.port, odd.remote_folder.as_str()), (None, ""));
    assert!(imported.warnings[0].1.contains("base64"));
    assert_eq!(key.logon, Logon::Normal);
    assert!(imported.passwords.is_empty(), "key logon: no password");
}

#[test]
fn not_a_site_manager_file() {
    assert_eq!(
        parse_sitemanager("<html><body/></html>").unwrap_err(),
        ImportError::NotSiteManager
    );
    assert_eq!(
        parse_sitemanager("").unwrap_err(),
        ImportError::NotSiteManager
    );
    assert!(matches!(
        parse_sitemanager("<FileZilla3><Servers></FileZilla3>"),
        Err(ImportError::Xml(_))
    ));
}

#[test]
fn remote_dir_encoding() {
    let path = |text| remote_dir(text).map(|p| p.as_str().to_owned());
    assert_eq!(path("1 0 3 www 4 site").as_deref(), Some("/www/site"));
    assert_eq!(path("1 0  3 www 4 site ").as_deref(), Some("/www/site"));
    assert_eq!(path("1 0 9 two words").as_deref(), Some("/two words"));
    assert_eq!(path("1 0").as_deref(), Some("/"));
    assert_eq!(path("8 2 C: 3 dir").as_deref(), Some("/dir"));
    assert_eq!(path("1 0 5 ab").as_deref(), None, "too short");
    assert_eq!(
        path("1 0 3 a/b").as_deref(),
        None,
        "no '/' inside a segment"
    );
    assert_eq!(path("").as_deref(), None);
    assert_eq!(path("x y").as_deref(), None);
}
