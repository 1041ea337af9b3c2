namespace Ztwim.Kernel.Api

/// The Kubernetes name rules (apimachinery's validation): each returns the reason a value breaks it.
[<RequireQualifiedAccess>]
module Names =

    let private dns1123Label = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"

    let private dns1123Subdomain =
        "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"

    let private qualifiedNamePart = "^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$"

    /// A DNS-1123 subdomain: lower-case alphanumerics, '-' and '.', at most 253 characters.
    let subdomain (s: string) =
        if s.Length > 253 then
            Some "must be a DNS-1123 subdomain of at most 253 characters"
        elif not (Read.matches dns1123Subdomain s) then
            Some
                "must be a DNS-1123 subdomain: lower-case alphanumerics, '-' or '.', starting and ending with an alphanumeric"
        else
            None

    /// A DNS-1123 label: lower-case alphanumerics and '-', at most 63 characters.
    let label (s: string) =
        if s.Length > 63 then
            Some "must be a DNS-1123 label of at most 63 characters"
        elif not (Read.matches dns1123Label s) then
            Some "must be a DNS-1123 label: lower-case alphanumerics or '-', starting and ending with an alphanumeric"
        else
            None

    /// A qualified name such as a label key: an optional DNS subdomain prefix and '/', then a name of at most
    /// 63 alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric.
    let qualifiedName (s: string) =
        let prefix, name =
            match s.Split('/') with
            | [| name |] -> None, name
            | [| prefix; name |] -> Some prefix, name
            | _ -> None, s

        if s.Split('/').Length > 2 then
            Some "must be a qualified name: an optional DNS subdomain prefix and '/', then a name"
        elif name = "" then
            Some "must be a qualified name: the name part must not be empty"
        elif name.Length > 63 then
            Some "must be a qualified name whose name part is at most 63 characters"
        elif not (Read.matches qualifiedNamePart name) then
            Some
                "must be a qualified name: alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric, with an optional DNS subdomain prefix and '/'"
        else
            match prefix with
            | Some "" -> Some "must be a qualified name: the prefix before '/' must not be empty"
            | Some p -> subdomain p |> Option.map (fun m -> "prefix " + m)
            | None -> None

    /// A label value: empty, or at most 63 alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric.
    let labelValue (s: string) =
        if s.Length > 63 then
            Some "must be a label value of at most 63 characters"
        elif s <> "" && not (Read.matches qualifiedNamePart s) then
            Some
                "must be a label value: empty, or alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric"
        else
            None
