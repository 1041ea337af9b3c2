namespace Ztwim.Kernel.Render

open Ztwim.Kernel
open Ztwim.Kernel.Api

/// Building operand manifests: metadata with labels, annotations and the owner reference, then the body.
[<RequireQualifiedAccess>]
module Manifest =

    /// The annotation prefix of ztwim's own bookkeeping.
    let annotationPrefix = "ztwim.openshift.io/"

    /// `ztwim.openshift.io/applied-<field>`: an immutable value as applied, kept on the objects that embody it
    /// (the rendered config and the workload that runs it, so that either one left in the cluster still tells;
    /// never on a pod template, whose change would restart pods) so that the kernel can read it back.
    let applied (field: string) = annotationPrefix + "applied-" + field

    /// A controller owner reference to the operand CR `cluster` (cluster-scoped, so valid for any child).
    let ownerReference (o: Owner) =
        Json.obj
            [ "apiVersion", Json.String Kind.apiVersion
              "kind", Json.String(Kind.name o.Kind)
              "name", Json.String Kind.singletonName
              "uid", Json.String o.Uid
              "controller", Json.Bool true
              "blockOwnerDeletion", Json.Bool true ]

    let stringMap (m: Map<string, string>) =
        Json.Object(m |> Map.map (fun _ v -> Json.String v))

    /// Object metadata; empty label and annotation maps are left out.
    let metadata
        (name: string)
        (ns: string option)
        (labels: Map<string, string>)
        (annotations: Map<string, string>)
        (owner: Owner option)
        =
        Json.objOpt
            [ "name", Some(Json.String name)
              "namespace", ns |> Option.map Json.String
              "labels", (if labels.IsEmpty then None else Some(stringMap labels))
              "annotations",
              (if annotations.IsEmpty then
                   None
               else
                   Some(stringMap annotations))
              "ownerReferences", owner |> Option.map (fun o -> Json.Array [ ownerReference o ]) ]

    /// A manifest: apiVersion, kind, metadata, and the body's members.
    let create
        (apiVersion: string)
        (kind: string)
        (ns: string option)
        (name: string)
        (labels: Map<string, string>)
        (annotations: Map<string, string>)
        (owner: Owner option)
        (body: (string * Json) list)
        : DesiredObject =
        let reference =
            { ApiVersion = apiVersion
              Kind = kind
              Namespace = ns
              Name = name }

        let json =
            Json.obj (
                [ "apiVersion", Json.String apiVersion
                  "kind", Json.String kind
                  "metadata", metadata name ns labels annotations owner ]
                @ body
            )

        Manifest(reference, json)
