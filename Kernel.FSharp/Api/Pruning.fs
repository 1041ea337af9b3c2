namespace Ztwim.Kernel.Api

open Ztwim.Kernel

/// Fields the API server drops because the schema does not know them (structural pruning). The product
/// manual's federation examples carry `spec.trustDomain` on SpireServer, which lives on the
/// ZeroTrustWorkloadIdentityManager: such a field is accepted and silently ignored, so tools warn about it.
[<RequireQualifiedAccess>]
module Pruning =

    // Every path of `raw` that `known` lacks. Nulls and empty strings, lists and maps are skipped: they read as
    // unset, so the printed spec leaves them out although the schema knows them.
    let rec private missing (path: string) (raw: Json) (known: Json option) : string list =
        match raw, known with
        | Json.Object members, Some(Json.Object knownMembers) ->
            members
            |> Map.toList
            |> List.collect (fun (k, v) ->
                let at = path + "." + k

                match v, Map.tryFind k knownMembers with
                | (Json.Null | Json.String "" | Json.Array []), _ -> []
                | Json.Object m, _ when m.IsEmpty -> []
                | _, None -> [ at ]
                | _, Some kv -> missing at v (Some kv))
        | Json.Array items, Some(Json.Array knownItems) when items.Length = knownItems.Length ->
            List.zip items knownItems
            |> List.mapi (fun i (v, kv) -> missing (sprintf "%s[%d]" path i) v (Some kv))
            |> List.concat
        | _ -> []

    /// The spec fields of a CR that the API server would prune, e.g. ["spec.trustDomain"].
    let unknownFields (r: AnyResource) : string list =
        let raw =
            match r with
            | Ztwim x -> x.Raw
            | SpireServer x -> x.Raw
            | SpireAgent x -> x.Raw
            | SpiffeCSIDriver x -> x.Raw
            | SpireOIDCDiscoveryProvider x -> x.Raw

        match Json.tryField "spec" raw with
        | Some spec -> missing "spec" spec (Some(Crs.printSpec r))
        | None -> []
