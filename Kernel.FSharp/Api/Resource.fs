namespace Ztwim.Kernel.Api

open Ztwim.Kernel

/// The five kinds of operator.openshift.io/v1alpha1.
[<RequireQualifiedAccess>]
type Kind =
    | ZeroTrustWorkloadIdentityManager
    | SpireServer
    | SpireAgent
    | SpiffeCSIDriver
    | SpireOIDCDiscoveryProvider

/// Names and constants of the API group.
[<RequireQualifiedAccess>]
module Kind =

    let apiVersion = "operator.openshift.io/v1alpha1"

    /// The only name a CR of these singleton kinds may have.
    let singletonName = "cluster"

    let all =
        [ Kind.ZeroTrustWorkloadIdentityManager
          Kind.SpireServer
          Kind.SpireAgent
          Kind.SpiffeCSIDriver
          Kind.SpireOIDCDiscoveryProvider ]

    let name (k: Kind) =
        match k with
        | Kind.ZeroTrustWorkloadIdentityManager -> "ZeroTrustWorkloadIdentityManager"
        | Kind.SpireServer -> "SpireServer"
        | Kind.SpireAgent -> "SpireAgent"
        | Kind.SpiffeCSIDriver -> "SpiffeCSIDriver"
        | Kind.SpireOIDCDiscoveryProvider -> "SpireOIDCDiscoveryProvider"

    let tryParse (s: string) =
        all |> List.tryFind (fun k -> name k = s)

/// The metadata of a CR that the kernel reads; the rest stays in the raw object.
type Metadata =
    {
        Name: string
        /// The uid the API server gave the object ("" before it is stored); owner references need it.
        Uid: string
        Labels: Map<string, string>
        Annotations: Map<string, string>
        Generation: int64
    }

/// A parsed custom resource: metadata, the defaulted spec, and the object as it was read.
type Resource<'Spec> =
    { Kind: Kind
      Metadata: Metadata
      Spec: 'Spec
      Raw: Json }

/// Reading and printing the parts all five kinds share.
[<RequireQualifiedAccess>]
module Resource =

    let private stringMap (n: Node) =
        Read.stringMap n
        |> Result.map (
            List.map (fun (node, v) -> node.Path.Substring(n.Path.Length + 1), v)
            >> Map.ofList
        )

    let private metadata (kind: Kind) (n: Node) : Validated<Metadata> =
        let name = Read.field "name" n

        Read.object n
        |> Read.required n
        |> Result.bind (fun _ ->
            validated {
                let! nameValue =
                    Read.string name
                    |> Read.required name
                    |> Result.map Some
                    |> Read.satisfies
                        name
                        ((=) Kind.singletonName)
                        (sprintf "%s is a singleton, .metadata.name must be 'cluster'" (Kind.name kind))
                    |> Result.map Option.get

                and! labels = stringMap (Read.field "labels" n)
                and! annotations = stringMap (Read.field "annotations" n)
                and! generation = Read.integer (Read.field "generation" n) |> Read.orDefault 0L
                and! uid = Read.string (Read.field "uid" n) |> Read.orDefault ""

                return
                    { Name = nameValue
                      Uid = uid
                      Labels = labels
                      Annotations = annotations
                      Generation = generation }
            })

    /// Reads a CR of `kind`: apiVersion, kind, metadata, then the spec with `readSpec`.
    let read (kind: Kind) (readSpec: Node -> Validated<'Spec>) (json: Json) : Result<Resource<'Spec>, FieldError list> =
        let root = Read.root "" json

        match json with
        | Json.Object _ ->
            let apiVersion = Read.field "apiVersion" root
            let kindNode = Read.field "kind" root

            validated {
                let! _ =
                    Read.string apiVersion
                    |> Read.required apiVersion
                    |> Result.map Some
                    |> Read.satisfies apiVersion ((=) Kind.apiVersion) (sprintf "must be %s" Kind.apiVersion)

                and! _ =
                    Read.string kindNode
                    |> Read.required kindNode
                    |> Result.map Some
                    |> Read.satisfies kindNode ((=) (Kind.name kind)) (sprintf "must be %s" (Kind.name kind))

                and! meta = metadata kind (Read.field "metadata" root)

                and! spec =
                    let specNode = Read.field "spec" root
                    // A missing spec reads as an empty one, so that required fields are named.
                    Read.object specNode |> Result.bind (fun _ -> readSpec specNode)

                return
                    { Kind = kind
                      Metadata = meta
                      Spec = spec
                      Raw = json }
            }
        | other ->
            Error
                [ FieldError.admission "<root>" (sprintf "must be an object, not %s" (Json.typeName other)) (Some other) ]

    /// The object with its spec replaced by the printed one (metadata and status are kept as read).
    let print (printSpec: 'Spec -> Json) (r: Resource<'Spec>) =
        let members =
            match r.Raw with
            | Json.Object m -> m
            | _ -> Map.empty

        let metadata =
            Json.objOpt
                [ "name", Some(Json.String r.Metadata.Name)
                  "labels",
                  (if r.Metadata.Labels.IsEmpty then
                       None
                   else
                       Some(Json.Object(r.Metadata.Labels |> Map.map (fun _ v -> Json.String v))))
                  "annotations",
                  (if r.Metadata.Annotations.IsEmpty then
                       None
                   else
                       Some(Json.Object(r.Metadata.Annotations |> Map.map (fun _ v -> Json.String v))))
                  "uid",
                  (if r.Metadata.Uid = "" then
                       None
                   else
                       Some(Json.String r.Metadata.Uid))
                  "generation",
                  (if r.Metadata.Generation = 0L then
                       None
                   else
                       Some(Json.Number(decimal r.Metadata.Generation))) ]

        let mergedMetadata =
            match Map.tryFind "metadata" members, metadata with
            | Some(Json.Object raw), Json.Object ours -> Json.Object(Map.fold (fun acc k v -> Map.add k v acc) raw ours)
            | _ -> metadata

        members
        |> Map.add "apiVersion" (Json.String Kind.apiVersion)
        |> Map.add "kind" (Json.String(Kind.name r.Kind))
        |> Map.add "metadata" mergedMetadata
        |> Map.add "spec" (printSpec r.Spec)
        |> Json.Object
